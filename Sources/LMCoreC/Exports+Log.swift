import CLMCore
import LMCore

@_cdecl("lmcore_set_log_callback")
public func exported_lmcore_set_log_callback(_ callback: lmcore_log_callback?, _ userData: UnsafeMutableRawPointer?,
                                             _ level: Int32) -> lmcore_status {
    exported("lmcore_set_log_callback") {
        var chosen: Logging.Level? = nil
        if level != -1 {
            guard let l = Logging.Level(rawValue: level) else {
                throw LMCoreError(.invalidArgument, "level is \(level); use -1 (keep) or 0 (off) to 4 (debug)")
            }
            chosen = l
        }
        Logging.configure(handler: LogForwarding.handler(callback, userData), level: chosen)
    }
}

enum LogForwarding {
    /// The C callback as a handler. The host's pointer is carried as an integer: the handler is
    /// called from any thread, which lmcore.h tells the host.
    static func handler(_ callback: lmcore_log_callback?, _ userData: UnsafeMutableRawPointer?) -> Logging.Handler? {
        guard let callback else { return nil }
        let user = UInt(bitPattern: userData)
        return { (level: Logging.Level, message: String) in
            message.withCString { callback(level.rawValue, $0, UnsafeMutableRawPointer(bitPattern: user)) }
        }
    }
}
