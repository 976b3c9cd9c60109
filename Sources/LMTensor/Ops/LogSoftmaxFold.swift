/// A log-softmax (optionally followed by HF's renormalising second log-softmax) kept symbolic: the row
/// stays raw and each value is computed on demand as (((x − shift) − logSum) − shift2) − logSum2, the
/// same float operations in the same order as materialising them would do. Zeros are exact no-ops
/// (x − 0 = x), so a row that already holds its final values uses `.identity`.
public struct LogSoftmaxFold: Sendable {
    public var shift: Float = 0
    public var logSum: Float = 0
    public var shift2: Float = 0
    public var logSum2: Float = 0

    public init() {}

    public static let identity = LogSoftmaxFold()

    @inlinable @inline(__always)
    public func apply(_ x: Float) -> Float { (((x - shift) - logSum) - shift2) - logSum2 }
}
