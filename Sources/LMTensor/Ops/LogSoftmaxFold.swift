/// A log-softmax (optionally followed by HF's renormalising second log-softmax) kept symbolic: the row
/// stays raw and each value is computed on demand as (((x − shift) − logSum) − shift2) − logSum2, the
/// same float operations in the same order as materialising them would do. Zeros are exact no-ops
/// (x − 0 = x), so a row that already holds its final values uses `.identity`.
/// Shapes: applies to single values of a (V) logits row.
package struct LogSoftmaxFold: Sendable {
    package var shift: Float = 0
    package var logSum: Float = 0
    package var shift2: Float = 0
    package var logSum2: Float = 0

    package init() {}

    package static let identity = LogSoftmaxFold()

    @inlinable @inline(__always)
    package func apply(_ x: Float) -> Float { (((x - shift) - logSum) - shift2) - logSum2 }
}
