/// Errors from loading a tokenizer or tokenizing. Messages name the file and the field or
/// token concerned.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// A file could not be opened or read.
    case io(String)
    /// A file is malformed (truncated, wrong JSON types, invalid regex, ids out of range...).
    case format(String)
    /// A well-formed file uses a component lmcore does not implement (named in the message).
    case unsupported(String)
    /// A caller passed an unusable value (invalid UTF-8 where text is required, unknown id...).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .io(let m), .format(let m), .unsupported(let m), .invalidArgument(let m): return m
        }
    }
}
