#if canImport(Glibc)
import Glibc
#endif

/// Layer normalisation over the last axis, as PyTorch's nn.LayerNorm (biased variance, eps
/// inside the square root).
/// Shapes: x, y (rows, n) row-major; gamma, beta (n).
package enum LayerNorm {
    /// y = (x - mean) / sqrt(var + eps) · gamma + beta for each of `rows` rows of `n` values.
    /// `y` may alias `x`.
    @inlinable
    package static func forward(
        _ x: UnsafePointer<Float>, rows: Int, n: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>?, eps: Float,
        into y: UnsafeMutablePointer<Float>
    ) {
        guard n > 0 else { return }
        for r in 0..<rows {
            let xr = x + r * n, yr = y + r * n
            let mean = Reduce.sum(xr, count: n) / Float(n)
            var variance: Float = 0
            for i in 0..<n {
                let d = xr[i] - mean
                variance += d * d
            }
            variance /= Float(n)
            let inv = 1 / sqrtf(variance + eps)
            if let beta {
                for i in 0..<n { yr[i] = (xr[i] - mean) * inv * gamma[i] + beta[i] }
            } else {
                for i in 0..<n { yr[i] = (xr[i] - mean) * inv * gamma[i] }
            }
        }
    }

    /// Tensor form of `forward` over the last axis.
    package static func forward(_ x: Tensor, gamma: Tensor, beta: Tensor?, eps: Float) -> Tensor {
        let n = x.shape.last ?? 0
        let xb = x.buffer, gb = gamma.buffer, bb = beta?.buffer
        let y = FloatBuffer(count: x.count)
        forward(xb.pointer, rows: n == 0 ? 0 : x.count / n, n: n, gamma: gb.pointer,
                beta: bb.map { UnsafePointer($0.pointer) }, eps: eps, into: y.pointer)
        return Tensor(shape: x.shape, storage: y.array)
    }
}
