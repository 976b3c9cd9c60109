#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Diagnostics for the people who run lmcore: what a load chose and fallbacks that cost speed
/// (no OpenBLAS, int8 without VNNI), which would otherwise go unnoticed. Messages at or below the
/// level go to the sink: stderr ("lmcore: warning: ...") unless a host installed its own
/// (lmcore_set_log_callback). The level comes from LMCORE_LOG (off, error, warning, info, debug;
/// default warning) until a host sets one. Safe from any thread.
package enum Log {
    package enum Level: Int32, Sendable, Comparable {
        case off = 0, error = 1, warning = 2, info = 3, debug = 4

        package static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        var name: String {
            switch self {
            case .off: return "off"
            case .error: return "error"
            case .warning: return "warning"
            case .info: return "info"
            case .debug: return "debug"
            }
        }

        /// LMCORE_LOG's value as a level (unknown text: warning).
        static func parse(_ text: String?) -> Level {
            guard let text = text?.lowercased() else { return .warning }
            return [Level.off, .error, .warning, .info, .debug].first { $0.name == text || (text == "warn" && $0 == .warning) }
                ?? .warning
        }
    }

    package typealias Sink = @Sendable (Level, String) -> Void

    private struct State: Sendable {
        var level: Level
        var sink: Sink?
    }

    private static let state = Mutex(State(level: Level.parse(getenv("LMCORE_LOG").map { String(cString: $0) }),
                                           sink: nil))

    /// Installs a sink (nil: stderr) and, when given, a level (nil keeps the current one).
    package static func configure(sink: Sink?, level: Level?) {
        state.withLock { s in
            s.sink = sink
            if let level { s.level = level }
        }
    }

    package static var level: Level { state.withLock { $0.level } }

    /// Emits `message` if `level` is enabled; the text is built only then.
    package static func message(_ level: Level, _ message: @autoclosure () -> String) {
        guard level != .off else { return }
        let (enabled, sink) = state.withLock { s in (level <= s.level, s.sink) }
        guard enabled else { return }
        let text = message()
        if let sink {
            sink(level, text)
        } else {
            let line = "lmcore: \(level.name): \(text)\n"
            // One write(2) per line: lines of several threads do not interleave.
            var bytes = Array(line.utf8)
            _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
        }
    }
}
