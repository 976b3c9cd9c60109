import CAPISequence
import Foundation

/// libFuzzer's entry points for the C-ABI call-sequence harness (CAPISequence/capi_sequence.c),
/// a separate binary from lmcore-fuzz because it links liblmcore.so itself, the library C and
/// ctypes callers load, rather than the Swift modules.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let root = ProcessInfo.processInfo.environment["LMCORE_ROOT"] ?? FileManager.default.currentDirectoryPath
    if capi_sequence_setup(root) != 0 { exit(2) }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    capi_sequence_run(data, size)
    return 0
}
