import LMTensor

/// lmcore's diagnostics (LMTensor's `Log`) for hosts: where messages go and how many.
public enum Logging {
    public enum Level: Int32, Sendable, CaseIterable {
        case off = 0, error = 1, warning = 2, info = 3, debug = 4
    }

    public typealias Handler = @Sendable (Level, String) -> Void

    /// Sends messages at or below `level` (nil: keep the current level, LMCORE_LOG's or warning)
    /// to `handler` (nil: stderr).
    public static func configure(handler: Handler?, level: Level?) {
        var sink: Log.Sink? = nil
        if let handler {
            sink = { (level: Log.Level, message: String) in handler(Level(rawValue: level.rawValue) ?? .warning, message) }
        }
        Log.configure(sink: sink, level: level.flatMap { Log.Level(rawValue: $0.rawValue) })
    }
}
