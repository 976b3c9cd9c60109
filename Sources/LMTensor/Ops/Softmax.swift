#if canImport(Glibc)
import Glibc
#endif

/// Softmax over the last axis, in place (attention's kernel); the tensor log-softmax runs search's
/// row kernel, `RowMath.logSoftmax`, so there is one log-softmax.
/// Shapes: x (rows, n) row-major, normalised per row in place.
package enum Softmax {
    /// softmax over each of `rows` rows of `n` values at `x` (row stride `n`).
    @inlinable
    package static func inPlace(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        for r in 0..<rows {
            row(x + r * n, n: n)
        }
    }

    /// softmax of one row of `n` values. A row that is entirely -inf (fully masked) becomes
    /// all zeros rather than NaN. exp runs 16 lanes at a time with its argument clamped at -87.3:
    /// entries more than 87 below the row's maximum (or -inf) get weight 1.2e-38 / sum instead
    /// of torch's denormal or 0, invisible next to the maximum's 1 / sum.
    @inlinable
    package static func row(_ x: UnsafeMutablePointer<Float>, n: Int) {
        guard n > 0 else { return }
        let maxValue = Reduce.max(x, count: n)
        guard maxValue > -Float.infinity else {
            x.update(repeating: 0, count: n)
            return
        }
        let sum = VectorActivation.expInPlace(x, count: n, minus: maxValue)
        Scale.inPlace(x, count: n, by: 1 / sum)
    }

    /// Tensor form over the last axis.
    package static func softmax(_ t: Tensor) -> Tensor {
        let n = t.shape.last ?? 1
        let b = t.buffer
        inPlace(b.pointer, rows: n == 0 ? 0 : t.count / n, n: n)
        return Tensor(shape: t.shape, storage: b.array)
    }

    /// Tensor form over the last axis.
    package static func logSoftmax(_ t: Tensor) -> Tensor {
        let n = t.shape.last ?? 1
        let b = t.buffer
        for r in 0..<(n == 0 ? 0 : t.count / n) {
            RowMath.logSoftmax(UnsafeMutableBufferPointer(start: b.pointer + r * n, count: n))
        }
        return Tensor(shape: t.shape, storage: b.array)
    }
}
