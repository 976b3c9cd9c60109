/// Errors from loading or running a model. Every case carries a message that names the file,
/// tensor or option concerned, so a user can act on it without a debugger.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// A file could not be opened, read or mapped.
    case io(String)
    /// A file is malformed: truncated, inconsistent, or not what its name says.
    case format(String)
    /// A well-formed file asks for something lmcore does not implement.
    case unsupported(String)
    /// A caller passed a value outside the accepted range (ids out of vocabulary, empty batch...).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .io(let m), .format(let m), .unsupported(let m), .invalidArgument(let m): return m
        }
    }
}
