#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few libm functions search needs (FoundationEssentials does not re-export libm).
package enum LibM {
    @inlinable @inline(__always) package static func ln(_ x: Float) -> Float { logf(x) }
    @inlinable @inline(__always) package static func ln(_ x: Double) -> Double { log(x) }
    @inlinable @inline(__always) package static func expd(_ x: Double) -> Double { exp(x) }
    @inlinable @inline(__always) package static func expf32(_ x: Float) -> Float { expf(x) }
    @inlinable @inline(__always) package static func powd(_ x: Double, _ y: Double) -> Double { pow(x, y) }
}
