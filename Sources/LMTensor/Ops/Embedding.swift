/// Embedding lookups: gathering rows of a (vocab, D) table.
/// Shapes: table (vocab, D); ids (count); out (count, D).
package enum Embedding {
    /// out[i] = table[ids[i]] · scale for each id. Ids must already be validated to lie in
    /// [0, rows); the model layer checks them against the vocabulary and throws before this.
    @inlinable
    package static func gather(
        table: UnsafePointer<Float>, rows: Int, dim: Int,
        ids: UnsafeBufferPointer<Int32>, scale: Float,
        into out: UnsafeMutablePointer<Float>
    ) {
        for (i, id) in ids.enumerated() {
            let src = table + Int(id) * dim
            let dst = out + i * dim
            if scale == 1 {
                dst.update(from: src, count: dim)
            } else {
                for j in 0..<dim { dst[j] = src[j] * scale }
            }
        }
    }
}
