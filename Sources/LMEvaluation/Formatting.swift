// Number formatting as Python's f"{x:.Nf}" prints it (glibc's printf is correctly rounded, as is
// CPython's float formatting), and the C math the BLEU formula needs. The C library is the only
// thing this module uses beyond the Swift standard library.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `x` with `digits` decimals, e.g. formatFixed(0.1, digits: 2) == "0.10".
public func formatFixed(_ x: Double, digits: Int) -> String {
    let format = "%.\(max(0, min(digits, 17)))f"
    var buffer = [CChar](repeating: 0, count: 400)
    let written = buffer.withUnsafeMutableBufferPointer { out in
        withVaList([x]) { vsnprintf(out.baseAddress, out.count, format, $0) }
    }
    guard written > 0 else { return "\(x)" }
    return String(decoding: buffer.prefix(min(Int(written), buffer.count - 1)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
