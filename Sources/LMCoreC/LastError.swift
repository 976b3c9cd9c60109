#if canImport(Glibc)
import Glibc
#endif
import CLMCore
import LMCore

/// The thread-local "last error" message behind lmcore_last_error().
///
/// Each thread owns one malloc'ed C string, replaced by the next failing call on that thread
/// and freed when the thread exits. Successful calls leave it alone (C evaluates arguments in
/// an unspecified order, so a message must survive unrelated successful calls).
enum LastError {
    nonisolated(unsafe) private static var key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in free(pointer) }
        return key
    }()

    static func set(_ message: String) {
        let old = pthread_getspecific(key)
        pthread_setspecific(key, strdup(message))
        free(old)
    }

    /// The current thread's message, or a static empty string.
    static var current: UnsafePointer<CChar> {
        if let p = pthread_getspecific(key) {
            return UnsafePointer(p.assumingMemoryBound(to: CChar.self))
        }
        return StaticStrings.empty
    }
}

/// C strings with static storage duration.
enum StaticStrings {
    static func make(_ s: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
    }
    nonisolated(unsafe) static let empty = make("")
}

extension LMCoreError.Kind {
    var status: lmcore_status {
        switch self {
        case .invalidArgument: return LMCORE_ERR_INVALID_ARGUMENT
        case .io: return LMCORE_ERR_IO
        case .format: return LMCORE_ERR_FORMAT
        case .unsupported: return LMCORE_ERR_UNSUPPORTED
        case .outOfMemory: return LMCORE_ERR_OUT_OF_MEMORY
        case .bufferTooSmall: return LMCORE_ERR_BUFFER_TOO_SMALL
        case .cancelled: return LMCORE_ERR_CANCELLED
        case .internal: return LMCORE_ERR_INTERNAL
        }
    }
}

/// Runs an export's body: a thrown error becomes its status and the thread's last error.
@inline(__always)
func exported(_ function: StaticString, _ body: () throws -> Void) -> lmcore_status {
    do {
        try body()
        return LMCORE_OK
    } catch {
        let e = LMCoreError.wrap(error)
        LastError.set("\(function): \(e.message)")
        return e.kind.status
    }
}

/// An invalid-argument error for a NULL pointer parameter.
func nullArgument(_ name: String) -> LMCoreError {
    LMCoreError(.invalidArgument, "\(name) must not be NULL")
}
