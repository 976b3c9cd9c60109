/// What went wrong with something lmcore was given: the one error kind of the readers (JSON,
/// checkpoints, tokenizer files) and of the layers built on them. Every case carries a message that
/// names the file, field, tensor or argument concerned, so a user can act on it without a debugger.
///
/// LMModel and LMTokenizer throw this type (it used to be two identical enums, `ModelError` and
/// `TokenizerError`); LMCore maps it onto `LMCoreError`'s kinds and the C layer onto `lmcore_status`.
package enum InputError: Error, Equatable, CustomStringConvertible {
    /// A file could not be opened, read or mapped.
    case io(String)
    /// A file is malformed: truncated, invalid JSON, wrong field types, inconsistent, or not what its
    /// name says.
    case format(String)
    /// A well-formed file asks for something lmcore does not implement (named in the message).
    case unsupported(String)
    /// A caller passed a value outside the accepted range (ids out of vocabulary, empty batch, invalid
    /// UTF-8 where text is required...).
    case invalidArgument(String)

    package var description: String {
        switch self {
        case .io(let m), .format(let m), .unsupported(let m), .invalidArgument(let m): return m
        }
    }
}
