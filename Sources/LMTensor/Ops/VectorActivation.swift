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
/// Shapes: element-wise over a flat buffer of `count` floats, in place.
package enum VectorActivation {
    typealias V16 = SIMD16<Float>
    typealias V8 = SIMD8<Float>

    /// Applies gelu_new to `n` values in place.
    package static func tanhApproximation(_ x: UnsafeMutablePointer<Float>, count n: Int) {
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
    package static func sigmoidWeighted(_ x: UnsafeMutablePointer<Float>, count n: Int, scale s: Float) {
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
    package static func sigmoid(_ x: UnsafeMutablePointer<Float>, count n: Int) {
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

    /// tanh for `n` values in place, as 1 − 2 / (1 + exp(2x)) on the vector exp (the recurrent cells'
    /// activation). Within ~1e-7 absolute of tanhf (the subtraction near 0 costs relative accuracy
    /// there, not absolute); exactly ±1 beyond |x| ≈ 9, as tanhf rounds too.
    package static func tanh(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        let two = V16(repeating: 2), one = V16(repeating: 1)
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: V16.self)
            UnsafeMutableRawPointer(x + i).storeBytes(of: one - two / (one + exp(two * v)), as: V16.self)
            i += 16
        }
        while i < n {
            x[i] = 1 - 2 / (1 + expf(2 * x[i]))
            i += 1
        }
    }

    /// x[i] = exp(x[i] − m) for `n` values in place; returns their sum (float lanes, then the lanes
    /// added). For softmax, where every x[i] ≤ m.
    package static func expInPlace(_ x: UnsafeMutablePointer<Float>, count n: Int, minus m: Float) -> Float {
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

    /// exp of 16 lanes, arguments clamped to [−87.3, 88] (`Lanes.exp`'s range). Clamping is harmless
    /// here: 1 + exp(−87.3) rounds to 1 and x / (1 + exp(88)) to within 1e-38 of 0 (x·1e-38 for
    /// silu's |x| beyond 88), the limits of the exact formulas. The clamp maps a NaN argument to
    /// −87.3; the activations that divide x by 1 + exp(·) still give NaN for a NaN x.
    @inline(__always)
    static func exp(_ x: V16) -> V16 {
        let lo = V8(repeating: Lanes.expFloor), hi = V8(repeating: 88)
        return Lanes.exp(V16(lowHalf: Lanes.min8(Lanes.max8(x.lowHalf, lo), hi),
                             highHalf: Lanes.min8(Lanes.max8(x.highHalf, lo), hi)))
    }
}
