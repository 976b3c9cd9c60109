import CLMCore
import LMCore
@_cdecl("lmcore_version")
public func lmcore_version() -> UnsafePointer<CChar>? {
    return nil
}
