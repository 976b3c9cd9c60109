import LMGeneration
import LMModel
import LMTokenizer
import LMInput

/// The one error type of lmcore's Swift API: a kind (which the C ABI maps to `lmcore_status`)
/// and a message naming the file, option or argument concerned.
public struct LMCoreError: Error, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case invalidArgument, io, format, unsupported, outOfMemory, bufferTooSmall, cancelled, `internal`
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// Maps any error thrown by the lower modules to an LMCoreError.
    public static func wrap(_ error: any Error) -> LMCoreError {
        switch error {
        case let e as LMCoreError: return e
        case let e as InputError:
            switch e {
            case .io(let m): return LMCoreError(.io, m)
            case .format(let m): return LMCoreError(.format, m)
            case .unsupported(let m): return LMCoreError(.unsupported, m)
            case .invalidArgument(let m): return LMCoreError(.invalidArgument, m)
            }
        case let e as GenerationError:
            switch e {
            case .invalidArgument(let m): return LMCoreError(.invalidArgument, m)
            case .unsupported(let m): return LMCoreError(.unsupported, m)
            case .cancelled: return LMCoreError(.cancelled, e.description)
            }
        default:
            return LMCoreError(.internal, "\(error)")
        }
    }
}

/// Runs `body`, rethrowing any error as an LMCoreError.
@inline(__always)
func lmcore<T>(_ body: () throws -> T) throws(LMCoreError) -> T {
    do {
        return try body()
    } catch {
        throw LMCoreError.wrap(error)
    }
}

/// `lmcore(body)` with `context` ("input 3") put before the message, so an error of one input of
/// a call names it.
func lmcore<T>(_ body: () throws -> T, context: String) throws(LMCoreError) -> T {
    do {
        return try body()
    } catch {
        let e = LMCoreError.wrap(error)
        throw LMCoreError(e.kind, "\(context): \(e.message)")
    }
}
