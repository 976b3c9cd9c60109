import LMTensor

/// Multi-head self-attention. q, k and v projections are fused into one (3·inner, D) linear
/// layer so that a single GEMM produces all three.
package struct SelfAttention: Sendable {
    package let qkv: Linear
    package let out: Linear
    package let heads: Int
    package let headDim: Int
    package let scale: Float

    /// - Parameter packing: how the fused qkv is packed as it is made (`out` comes packed from the
    ///   loader): the decoder's weight type, or the encoder's (`ComputeType.sequenceWeights`; nil,
    ///   plain weights on OpenBLAS, where the packed kernels do not run).
    package init(q: Linear, k: Linear, v: Linear, out: Linear, heads: Int, headDim: Int, scale: Float,
                 packing: PackedType? = nil) {
        self.qkv = Linear.fused([q, k, v], packing: packing)
        self.out = out
        self.heads = heads
        self.headDim = headDim
        self.scale = scale
    }

    package var innerDim: Int { heads * headDim }

    /// Bidirectional attention within each packed sequence (the encoder).
    /// x and y are (total, D); `scratch` must hold total·4·inner floats.
    package func encode(_ x: UnsafePointer<Float>, sequences: PackedSequences, bias: PositionBias?,
                       threads: Int, scratch: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let n = sequences.total, inner = innerDim
        let qkvBuffer = scratch                 // (n, 3·inner)
        let context = scratch + n * 3 * inner   // (n, inner)
        qkv(x, rows: n, into: qkvBuffer)
        let maxLength = sequences.maxLength
        let heads = self.heads, headDim = self.headDim, scale = self.scale
        let isLong = (0..<sequences.count).map { sequences.lengths[$0] >= Attention.blockLength }
        // Short sequences: work items are (row, head) pairs, each with its own score row.
        let shortRows = (0..<sequences.count).filter { !isLong[$0] }
            .flatMap { sequences.offsets[$0]..<(sequences.offsets[$0] + sequences.lengths[$0]) }
        Parallel.chunks(shortRows.count * heads, threads: threads, minimumPerThread: 64) { range in
            let scores = FloatBuffer(count: 2 * maxLength)
            let biasRow = scores.pointer + maxLength
            for item in range {
                let row = shortRows[item / heads], h = item % heads
                let (s, position) = sequences.locate(row: row)
                let start = sequences.offsets[s], length = sequences.lengths[s]
                let base = qkvBuffer + start * 3 * inner + h * headDim
                bias?.fill(head: h, query: position, keyCount: length, into: biasRow)
                Attention.single(
                    q: qkvBuffer + row * 3 * inner + h * headDim, headDim: headDim, scale: scale,
                    keys: base + inner, values: base + 2 * inner, stride: 3 * inner,
                    rows: nil, length: length, bias: bias == nil ? nil : UnsafePointer(biasRow),
                    scores: scores.pointer, out: context + row * inner + h * headDim)
            }
        }
        // Long sequences: per (sequence, head), two GEMMs over the (length, length) score matrix, in
        // blocks of query rows that keep the scores within `Attention.blockRows`.
        if isLong.contains(true) {
            let blockRows = Swift.min(maxLength, Attention.blockRows(length: maxLength))
            let scores = FloatBuffer(count: blockRows * maxLength, zeroed: false)
            for s in 0..<sequences.count where isLong[s] {
                let start = sequences.offsets[s], length = sequences.lengths[s]
                for h in 0..<heads {
                    let base = qkvBuffer + start * 3 * inner + h * headDim
                    for first in stride(from: 0, to: length, by: blockRows) {
                        let rowBias: ((Int, UnsafeMutablePointer<Float>) -> Void)? = bias.map { bias in
                            { query, into in bias.fill(head: h, query: first + query, keyCount: length, into: into) }
                        }
                        Attention.block(
                            q: base + first * 3 * inner, qStride: 3 * inner, queries: Swift.min(blockRows, length - first),
                            headDim: headDim, scale: scale, keys: base + inner, values: base + 2 * inner,
                            stride: 3 * inner, length: length, bias: rowBias, scores: scores.pointer,
                            out: context + (start + first) * inner + h * headDim, outStride: inner, threads: threads)
                    }
                }
            }
        }
        out(context, rows: n, into: y)
    }

    /// Floats of scratch `encode` needs for `rows` rows.
    package func encodeScratch(rows: Int) -> Int { rows * 4 * innerDim }

    /// One decoding step: each row's new key/value is appended to `cache` (layer `layer`) and
    /// the row attends to its whole history. x and y are (rows, D).
    package func step(_ x: UnsafePointer<Float>, rows: Int, cache: DecoderCache, layer: Int, bias: PositionBias?,
                     threads: Int, scratch: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let inner = innerDim
        let qkvBuffer = scratch                    // (rows, 3·inner)
        let context = scratch + rows * 3 * inner   // (rows, inner)
        qkv(x, rows: rows, into: qkvBuffer)
        cache.store(layer: layer, rows: rows, from: qkvBuffer + inner, stride: 3 * inner)
        let length = cache.length
        let keys = UnsafePointer(cache.keys(layer: layer)), values = UnsafePointer(cache.values(layer: layer))
        let heads = self.heads, headDim = self.headDim, scale = self.scale
        Parallel.chunks(rows * heads, threads: threads, minimumPerThread: 16) { range in
            let scores = FloatBuffer(count: 2 * length)
            let biasRow = scores.pointer + length
            for item in range {
                let r = item / heads, h = item % heads
                bias?.fill(head: h, query: length - 1, keyCount: length, into: biasRow)
                cache.withHistory(row: r) { slots in
                    Attention.single(
                        q: qkvBuffer + r * 3 * inner + h * headDim, headDim: headDim, scale: scale,
                        keys: keys + h * headDim, values: values + h * headDim, stride: inner,
                        rows: slots, length: length, bias: bias == nil ? nil : UnsafePointer(biasRow),
                        scores: scores.pointer, out: context + r * inner + h * headDim)
                }
            }
        }
        out(context, rows: rows, into: y)
    }

    /// Floats of scratch `step` needs for `rows` rows.
    package func stepScratch(rows: Int) -> Int { rows * 4 * innerDim }

    package var parameterCount: Int { qkv.parameterCount + out.parameterCount }
}
