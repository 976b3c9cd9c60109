/// Linear layers: y = x · Wᵀ + b with PyTorch's (out, in) weight layout.
/// Shapes: x (M, K) row-major, weight (N, K) as PyTorch stores nn.Linear, bias (N), y (M, N).
package enum MatMul {
    /// y(M, N) = x(M, K) · w(N, K)ᵀ (+ bias(N)). `y` is overwritten.
    @inlinable
    package static func linear(
        _ x: UnsafePointer<Float>, rows m: Int, inFeatures k: Int,
        weight w: UnsafePointer<Float>, outFeatures n: Int,
        bias: UnsafePointer<Float>?,
        into y: UnsafeMutablePointer<Float>
    ) {
        guard m > 0, n > 0 else { return }
        if let bias {
            // Seed y with the bias and accumulate (beta = 1): one pass instead of two.
            for r in 0..<m {
                (y + r * n).update(from: bias, count: n)
            }
            BLAS.gemmTransposedB(m: m, n: n, k: k, a: x, lda: k, b: w, ldb: k, beta: 1, c: y, ldc: n)
        } else {
            BLAS.gemmTransposedB(m: m, n: n, k: k, a: x, lda: k, b: w, ldb: k, beta: 0, c: y, ldc: n)
        }
    }

    /// Tensor form of `linear` for tests and tools: x (..., K), weight (N, K), bias (N) -> (..., N).
    package static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let k = weight.shape[1], n = weight.shape[0]
        let m = k == 0 ? 0 : x.count / k
        let xb = x.buffer, wb = weight.buffer, bb = bias?.buffer
        let y = FloatBuffer(count: m * n)
        linear(xb.pointer, rows: m, inFeatures: k, weight: wb.pointer, outFeatures: n,
               bias: bb.map { UnsafePointer($0.pointer) }, into: y.pointer)
        return Tensor(shape: Array(x.shape.dropLast()) + [n], storage: y.array)
    }
}
