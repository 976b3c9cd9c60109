#if canImport(Glibc)
import Glibc
#endif

/// The activation functions of transformers' ACT2FN that seq2seq checkpoints use, named by
/// their `activation_function` / `dense_act_fn` strings.
/// Shapes: element-wise over a flat buffer of `count` floats, in place.
package enum Activation: String, Sendable, CaseIterable {
    case relu
    /// Exact GELU: 0.5·x·(1 + erf(x/√2)) (ACT2FN["gelu"]).
    case gelu
    /// tanh approximation (ACT2FN["gelu_new"], ["gelu_pytorch_tanh"]).
    case geluNew = "gelu_new"
    case geluPytorchTanh = "gelu_pytorch_tanh"
    /// 0.5·x·(1 + tanh(x·0.7978845608·(1 + 0.044715·x²))) (ACT2FN["gelu_fast"]).
    case geluFast = "gelu_fast"
    /// x·sigmoid(1.702·x) (ACT2FN["quick_gelu"]).
    case quickGelu = "quick_gelu"
    case silu
    case swish
    case tanh
    case sigmoid

    /// Applies the activation to `n` values in place.
    @inlinable
    package func apply(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        switch self {
        case .relu:
            for i in 0..<n { x[i] = Swift.max(x[i], 0) }
        case .gelu:
            let invSqrt2: Float = 0.70710678118654752440
            for i in 0..<n {
                let v = x[i]
                x[i] = 0.5 * v * (1 + erff(v * invSqrt2))
            }
        case .geluNew, .geluPytorchTanh:
            VectorActivation.tanhApproximation(x, count: n)
        case .geluFast:
            for i in 0..<n {
                let v = x[i]
                x[i] = 0.5 * v * (1 + tanhf(v * 0.7978845608 * (1 + 0.044715 * v * v)))
            }
        case .quickGelu:
            VectorActivation.sigmoidWeighted(x, count: n, scale: 1.702)
        case .silu, .swish:
            VectorActivation.sigmoidWeighted(x, count: n, scale: 1)
        case .tanh:
            for i in 0..<n { x[i] = tanhf(x[i]) }
        case .sigmoid:
            VectorActivation.sigmoid(x, count: n)
        }
    }

    /// Tensor form.
    package func callAsFunction(_ t: Tensor) -> Tensor {
        let b = t.buffer
        apply(b.pointer, count: t.count)
        return Tensor(shape: t.shape, storage: b.array)
    }
}
