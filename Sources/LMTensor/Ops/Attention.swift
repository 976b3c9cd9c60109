/// Scaled dot-product attention for one head and one query row:
/// out = softmax(scale · q·Kᵀ + bias) · V.
///
/// Keys and values are rows of `headDim` floats. They are either evenly strided (row j at
/// `base + j·stride`) or gathered through `rows` (row j at `base + rows[j]·stride`), which is how
/// the decoder's self-attention cache lets beams share history without copying it.
/// Shapes: q (headDim) per query row; keys/values `length` rows of headDim floats, `stride` apart;
/// bias (length); scores scratch (length) or (queries, length); out (headDim) per query row.
package enum Attention {
    /// From this many keys, attention over a sequence runs as GEMMs (`block`): the encoder's
    /// self-attention per sequence and head, the decoder's cross-attention per input (its beams)
    /// and head. Below it the per-row loop (`single`) costs less than two small GEMM calls.
    package static let blockLength = 64

    /// The most query rows one `block` call should take against `length` keys, so that its
    /// (rows, length) score matrix stays within 4M floats (16 MB) however long the input (T5 takes up
    /// to 65,536 tokens: a whole score matrix would be 16 GB). Callers split longer row ranges.
    package static func blockRows(length: Int) -> Int { Swift.max(1, (1 << 22) / Swift.max(1, length)) }

    /// - Parameters:
    ///   - q: the query (headDim floats).
    ///   - keys/values: base pointers of this head's first key/value row.
    ///   - stride: distance between consecutive rows (in floats).
    ///   - rows: optional row indices (count `length`); nil means rows 0..<length.
    ///   - bias: optional additive bias per key (T5's relative position bias, masks).
    ///   - scores: scratch of at least `length` floats.
    ///   - out: headDim floats, overwritten.
    @inlinable
    package static func single(
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

    /// Attention of `queries` query rows against the same `length` keys/values (one head of one
    /// sequence), as two GEMMs with a row softmax between them: scores = scale · Q·Kᵀ (+ bias),
    /// out = softmax(scores) · V. The same as `single` row by row up to float summation order;
    /// for long sequences it runs at GEMM speed where `single` is one dot product per key.
    /// - Parameters:
    ///   - q: the first query row; rows `qStride` apart.
    ///   - keys/values: the first key/value row; rows `stride` apart.
    ///   - bias: optional, writes query row i's additive bias (`length` floats) into the pointer.
    ///   - scores: scratch of `queries · length` floats.
    ///   - out: the first output row (headDim floats each, `outStride` apart), overwritten.
    ///   - threads: threads for the row softmax (the GEMMs use OpenBLAS's own).
    package static func block(
        q: UnsafePointer<Float>, qStride: Int, queries: Int, headDim: Int, scale: Float,
        keys: UnsafePointer<Float>, values: UnsafePointer<Float>, stride: Int, length: Int,
        bias: ((Int, UnsafeMutablePointer<Float>) -> Void)?,
        scores: UnsafeMutablePointer<Float>,
        out: UnsafeMutablePointer<Float>, outStride: Int, threads: Int
    ) {
        guard queries > 0, headDim > 0 else { return }
        guard length > 0 else {
            for i in 0..<queries { (out + i * outStride).update(repeating: 0, count: headDim) }
            return
        }
        if let bias {
            for i in 0..<queries { bias(i, scores + i * length) }
        }
        // scores = scale · Q·Kᵀ + (bias or nothing): the bias rows are the GEMM's C (beta = 1).
        BLAS.gemmTransposedB(m: queries, n: length, k: headDim, alpha: scale, a: q, lda: qStride,
                             b: keys, ldb: stride, beta: bias == nil ? 0 : 1, c: scores, ldc: length)
        Parallel.chunks(queries, threads: threads, minimumPerThread: 16) { rows in
            for i in rows { Softmax.row(scores + i * length, n: length) }
        }
        BLAS.gemm(m: queries, n: headDim, k: length, a: scores, lda: length, b: values, ldb: stride,
                  beta: 0, c: out, ldc: outStride)
    }
}
