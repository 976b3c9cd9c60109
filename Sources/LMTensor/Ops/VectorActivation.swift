#if canImport(Glibc)
import Glibc
#endif

/// Activations built on exp, in vector registers: libm's expf/tanhf called once per element were
/// the largest non-GEMM costs of a decoder step (perf, bench/README.md).
///
/// The tanh-approximated GELU (transformers' "gelu_new", "gelu_pytorch_tanh": T5 v1.1 and Flan-T5's
/// gated-gelu): 0.5·x·(1 + tanh(u)) with u = √(2/π)·(x + 0.044715·x³) equals x / (1 + exp(−2u)) (as
/// 1 + tanh(u) = 2 / (1 + exp(−2u))), so one vector exp replaces libm's tanhf, which the package
/// otherwise calls once per element: tanhf (through expm1f) took 10% of a Flan-T5-shaped beam search
/// (perf, bench/README.md). The sigmoid form is also free of the cancellation in 1 + tanh(u) for
/// negative u; results differ from torch's by a few float32 ulps.
public enum VectorActivation {
    typealias V16 = SIMD16<Float>
    typealias V8 = SIMD8<Float>
    typealias U16 = SIMD16<UInt32>

    /// Applies gelu_new to `n` values in place.
    public static func tanhApproximation(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        let c = V16(repeating: -2 * 0.79788456080286535588), a = V16(repeating: 0.044715)
        let one = V16(repeating: 1)
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: V16.self)
            let u = c * v.addingProduct(a * v * v, v)   // −2·√(2/π)·(v + 0.044715·v³)
            let y = v / (one + exp(u))
            UnsafeMutableRawPointer(x + i).storeBytes(of: y, as: V16.self)
            i += 16
        }
        while i < n {
            let v = x[i]
            x[i] = v / (1 + expf(-2 * 0.79788456080286535588 * (v + 0.044715 * v * v * v)))
            i += 1
        }
    }

    /// x·sigmoid(s·x) = x / (1 + exp(−s·x)) for `n` values in place: SiLU/swish (s = 1, Marian's
    /// activation, torch.nn.functional.silu's formula) and quick_gelu (s = 1.702). Within a few ulps
    /// of torch.
    public static func sigmoidWeighted(_ x: UnsafeMutablePointer<Float>, count n: Int, scale s: Float) {
        let minusS = V16(repeating: -s), one = V16(repeating: 1)
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: V16.self)
            UnsafeMutableRawPointer(x + i).storeBytes(of: v / (one + exp(minusS * v)), as: V16.self)
            i += 16
        }
        while i < n {
            let v = x[i]
            x[i] = v / (1 + expf(-s * v))
            i += 1
        }
    }

    /// 1 / (1 + exp(−x)) for `n` values in place.
    public static func sigmoid(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        let minusOne = V16(repeating: -1), one = V16(repeating: 1)
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: V16.self)
            UnsafeMutableRawPointer(x + i).storeBytes(of: one / (one + exp(minusOne * v)), as: V16.self)
            i += 16
        }
        while i < n {
            x[i] = 1 / (1 + expf(-x[i]))
            i += 1
        }
    }

    /// x[i] = exp(x[i] − m) for `n` values in place; returns their sum (float lanes, then the lanes
    /// added). For softmax, where every x[i] ≤ m.
    public static func expInPlace(_ x: UnsafeMutablePointer<Float>, count n: Int, minus m: Float) -> Float {
        let mv = V16(repeating: m)
        var acc = V16(repeating: 0)
        var i = 0
        while i + 16 <= n {
            let e = exp(UnsafeRawPointer(x + i).loadUnaligned(as: V16.self) - mv)
            UnsafeMutableRawPointer(x + i).storeBytes(of: e, as: V16.self)
            acc += e
            i += 16
        }
        var sum = acc.sum()
        while i < n {
            let e = expf(x[i] - m)
            x[i] = e
            sum += e
            i += 1
        }
        return sum
    }

    /// exp of 16 lanes, arguments clamped to [−87.3, 88]: Cephes' expf range reduction and
    /// polynomial (about 1 ulp). Clamping is harmless here: 1 + exp(−87.3) rounds to 1 and
    /// x / (1 + exp(88)) to within 1e-38 of 0 (x·1e-38 for silu's |x| beyond 88), the limits of the
    /// exact formulas. NaN stays NaN.
    @inline(__always)
    static func exp(_ x: V16) -> V16 {
        // max8/min8 written as lane-wise ternaries over two vectors: LLVM emits vmaxps/vminps
        // (pointwiseMax and clamped(lowerBound:upperBound:) compile to per-lane code).
        @inline(__always) func max8(_ a: V8, _ b: V8) -> V8 {
            V8(a[0] > b[0] ? a[0] : b[0], a[1] > b[1] ? a[1] : b[1], a[2] > b[2] ? a[2] : b[2],
               a[3] > b[3] ? a[3] : b[3], a[4] > b[4] ? a[4] : b[4], a[5] > b[5] ? a[5] : b[5],
               a[6] > b[6] ? a[6] : b[6], a[7] > b[7] ? a[7] : b[7])
        }
        @inline(__always) func min8(_ a: V8, _ b: V8) -> V8 {
            V8(a[0] < b[0] ? a[0] : b[0], a[1] < b[1] ? a[1] : b[1], a[2] < b[2] ? a[2] : b[2],
               a[3] < b[3] ? a[3] : b[3], a[4] < b[4] ? a[4] : b[4], a[5] < b[5] ? a[5] : b[5],
               a[6] < b[6] ? a[6] : b[6], a[7] < b[7] ? a[7] : b[7])
        }
        let lo = V8(repeating: -87.3), hi = V8(repeating: 88)
        let x = V16(lowHalf: min8(max8(x.lowHalf, lo), hi), highHalf: min8(max8(x.highHalf, lo), hi))
        let magic = V16(repeating: 12582912.0)   // 1.5·2^23: adding it rounds to an integer
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
}
