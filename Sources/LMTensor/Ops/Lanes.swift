/// Lane-wise SIMD building blocks for the row kernels of both tensors (activations, softmax) and
/// search (log-softmax, top-k), written in the forms that vectorise. Swift's `pointwiseMax`,
/// `clamped`, `replacing(with:where:)` and operators with a scalar operand compile to per-lane code;
/// vector-vector arithmetic, `addingProduct` (FMA) and lane-wise ternaries on SIMD8 become single
/// AVX instructions. `package` and inlinable so other modules inline them into their loops.
/// Shapes: SIMD8/SIMD16 lanes of Float; no memory access.
package enum Lanes {
    package typealias V16 = SIMD16<Float>
    package typealias V8 = SIMD8<Float>
    package typealias U16 = SIMD16<UInt32>

    /// The lowest argument `exp` takes: exp(-87.3) ≈ 1.2e-38 is still a normal float.
    package static let expFloor: Float = -87.3

    /// exp(x) for 16 lanes all in [-87.3, 88]: Cephes' expf range reduction and polynomial (about
    /// 1 ulp). Arguments outside that range must be clamped by the caller.
    @inlinable @inline(__always)
    package static func exp(_ x: V16) -> V16 {
        // Round x·log2(e) to nearest with the 1.5·2^23 trick; the low mantissa bits of t are then n.
        let magic = V16(repeating: 12582912.0)
        let t = magic.addingProduct(x, V16(repeating: 1.44269504088896341))
        let n = t - magic
        var r = x.addingProduct(n, V16(repeating: -0.693359375))
        r = r.addingProduct(n, V16(repeating: 2.12194440e-4))
        var y = V16(repeating: 1.3981999507e-3).addingProduct(V16(repeating: 1.9875691500e-4), r)
        y = V16(repeating: 8.3334519073e-3).addingProduct(y, r)
        y = V16(repeating: 4.1665795894e-2).addingProduct(y, r)
        y = V16(repeating: 1.6666665459e-1).addingProduct(y, r)
        y = V16(repeating: 5.0000001201e-1).addingProduct(y, r)
        y = (r + V16(repeating: 1)).addingProduct(y, r * r)
        let ni = unsafeBitCast(t, to: U16.self) &- U16(repeating: 0x4B40_0000)
        return y * unsafeBitCast((ni &+ U16(repeating: 127)) &* U16(repeating: 1 << 23), to: V16.self)
    }

    /// Lane-wise max (one vmaxps). A NaN in `a` loses to `b`.
    @inlinable @inline(__always)
    package static func max8(_ a: V8, _ b: V8) -> V8 {
        V8(a[0] > b[0] ? a[0] : b[0], a[1] > b[1] ? a[1] : b[1], a[2] > b[2] ? a[2] : b[2],
           a[3] > b[3] ? a[3] : b[3], a[4] > b[4] ? a[4] : b[4], a[5] > b[5] ? a[5] : b[5],
           a[6] > b[6] ? a[6] : b[6], a[7] > b[7] ? a[7] : b[7])
    }

    /// Lane-wise min (one vminps). A NaN in `a` loses to `b`.
    @inlinable @inline(__always)
    package static func min8(_ a: V8, _ b: V8) -> V8 {
        V8(a[0] < b[0] ? a[0] : b[0], a[1] < b[1] ? a[1] : b[1], a[2] < b[2] ? a[2] : b[2],
           a[3] < b[3] ? a[3] : b[3], a[4] < b[4] ? a[4] : b[4], a[5] < b[5] ? a[5] : b[5],
           a[6] < b[6] ? a[6] : b[6], a[7] < b[7] ? a[7] : b[7])
    }

    /// The largest lane (the stdlib's `max()` is an out-of-line generic call).
    @inlinable @inline(__always)
    package static func horizontalMax(_ v: V8) -> Float {
        let a = v[0] > v[1] ? v[0] : v[1], b = v[2] > v[3] ? v[2] : v[3]
        let c = v[4] > v[5] ? v[4] : v[5], d = v[6] > v[7] ? v[6] : v[7]
        let ab = a > b ? a : b, cd = c > d ? c : d
        return ab > cd ? ab : cd
    }

    /// The smallest lane.
    @inlinable @inline(__always)
    package static func horizontalMin(_ v: V8) -> Float {
        let a = v[0] < v[1] ? v[0] : v[1], b = v[2] < v[3] ? v[2] : v[3]
        let c = v[4] < v[5] ? v[4] : v[5], d = v[6] < v[7] ? v[6] : v[7]
        let ab = a < b ? a : b, cd = c < d ? c : d
        return ab < cd ? ab : cd
    }
}
