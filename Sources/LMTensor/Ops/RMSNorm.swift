#if canImport(Glibc)
import Glibc
#endif

/// T5's layer norm (T5LayerNorm): scale only, no mean subtraction and no bias.
/// Shapes: x, y (rows, n) row-major; gamma (n).
package enum RMSNorm {
    /// T5LayerNorm: y = x / sqrt(mean(x²) + eps) · gamma (no mean subtraction, no bias).
    @inlinable
    package static func forward(
        _ x: UnsafePointer<Float>, rows: Int, n: Int,
        gamma: UnsafePointer<Float>, eps: Float,
        into y: UnsafeMutablePointer<Float>
    ) {
        guard n > 0 else { return }
        for r in 0..<rows {
            let xr = x + r * n, yr = y + r * n
            let meanSquare = Reduce.dot(xr, xr, count: n) / Float(n)
            let inv = 1 / sqrtf(meanSquare + eps)
            for i in 0..<n { yr[i] = xr[i] * inv * gamma[i] }
        }
    }

    /// Tensor form of `forward` over the last axis.
    package static func forward(_ x: Tensor, gamma: Tensor, eps: Float) -> Tensor {
        let n = x.shape.last ?? 0
        let xb = x.buffer, gb = gamma.buffer
        let y = FloatBuffer(count: x.count)
        forward(xb.pointer, rows: n == 0 ? 0 : x.count / n, n: n, gamma: gb.pointer, eps: eps, into: y.pointer)
        return Tensor(shape: x.shape, storage: y.array)
    }
}
