import CLMCore
import LMCore

@_cdecl("lmcore_version")
public func exported_lmcore_version() -> UnsafePointer<CChar>? {
    StaticStrings.version
}

@_cdecl("lmcore_abi_version")
public func exported_lmcore_abi_version() -> Int32 {
    LMCORE_ABI_VERSION
}

@_cdecl("lmcore_status_name")
public func exported_lmcore_status_name(_ status: lmcore_status) -> UnsafePointer<CChar>? {
    switch status {
    case LMCORE_OK: return StaticStrings.make("LMCORE_OK")
    case LMCORE_ERR_INVALID_ARGUMENT: return StaticStrings.make("LMCORE_ERR_INVALID_ARGUMENT")
    case LMCORE_ERR_IO: return StaticStrings.make("LMCORE_ERR_IO")
    case LMCORE_ERR_FORMAT: return StaticStrings.make("LMCORE_ERR_FORMAT")
    case LMCORE_ERR_UNSUPPORTED: return StaticStrings.make("LMCORE_ERR_UNSUPPORTED")
    case LMCORE_ERR_OUT_OF_MEMORY: return StaticStrings.make("LMCORE_ERR_OUT_OF_MEMORY")
    case LMCORE_ERR_BUFFER_TOO_SMALL: return StaticStrings.make("LMCORE_ERR_BUFFER_TOO_SMALL")
    case LMCORE_ERR_CANCELLED: return StaticStrings.make("LMCORE_ERR_CANCELLED")
    case LMCORE_ERR_INTERNAL: return StaticStrings.make("LMCORE_ERR_INTERNAL")
    default: return StaticStrings.make("unknown")
    }
}

@_cdecl("lmcore_last_error")
public func exported_lmcore_last_error() -> UnsafePointer<CChar>? {
    LastError.current
}

extension StaticStrings {
    /// Must equal LMCORE_VERSION_MAJOR.MINOR.PATCH (a test checks).
    nonisolated(unsafe) static let version = make("0.1.0")  // = LMCore.version
}
