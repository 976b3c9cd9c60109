/// Errors from search: inconsistent options or a failing step decoder.
package enum GenerationError: Error, Equatable, CustomStringConvertible {
    /// Options out of range or contradicting each other (e.g. num_return_sequences > num_beams).
    case invalidArgument(String)
    /// An option lmcore does not implement.
    case unsupported(String)
    /// A caller's callback asked to stop.
    case cancelled

    package var description: String {
        switch self {
        case .invalidArgument(let m), .unsupported(let m): return m
        case .cancelled: return "generation cancelled by the callback"
        }
    }
}
