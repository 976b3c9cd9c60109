/// Scaled dot-product attention for one head and one query row:
/// out = softmax(scale · q·Kᵀ + bias) · V.
///
/// Keys and values are rows of `headDim` floats. They are either evenly strided (row j at
/// `base + j·stride`) or gathered through `rows` (row j at `base + rows[j]·stride`), which is how
/// the decoder's self-attention cache lets beams share history without copying it.
public enum Attention {
    /// - Parameters:
    ///   - q: the query (headDim floats).
    ///   - keys/values: base pointers of this head's first key/value row.
    ///   - stride: distance between consecutive rows (in floats).
    ///   - rows: optional row indices (count `length`); nil means rows 0..<length.
    ///   - bias: optional additive bias per key (T5's relative position bias, masks).
    ///   - scores: scratch of at least `length` floats.
    ///   - out: headDim floats, overwritten.
    @inlinable
    public static func single(
        q: UnsafePointer<Float>, headDim: Int, scale: Float,
        keys: UnsafePointer<Float>, values: UnsafePointer<Float>, stride: Int,
        rows: UnsafePointer<Int32>?, length: Int,
        bias: UnsafePointer<Float>?,
        scores: UnsafeMutablePointer<Float>,
        out: UnsafeMutablePointer<Float>
    ) {
        out.update(repeating: 0, count: headDim)
        guard length > 0 else { return }
        for j in 0..<length {
            let r = rows.map { Int($0[j]) } ?? j
            var s = Reduce.dot(q, keys + r * stride, count: headDim) * scale
            if let bias { s += bias[j] }
            scores[j] = s
        }
        Softmax.row(scores, n: length)
        for j in 0..<length {
            let r = rows.map { Int($0[j]) } ?? j
            Scale.accumulate(values + r * stride, into: out, count: headDim, alpha: scores[j])
        }
    }
}
