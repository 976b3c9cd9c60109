#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few libm functions search needs (FoundationEssentials does not re-export libm).
enum LibM {
    @inline(__always) static func ln(_ x: Float) -> Float { logf(x) }
    @inline(__always) static func ln(_ x: Double) -> Double { log(x) }
    @inline(__always) static func expd(_ x: Double) -> Double { exp(x) }
    @inline(__always) static func expf32(_ x: Float) -> Float { expf(x) }
    @inline(__always) static func powd(_ x: Double, _ y: Double) -> Double { pow(x, y) }
}
