import LMTensor

/// The decoder's attention over the encoder output. Keys and values depend only on the
/// encoder output, so they are computed once per input (`project`) and shared by every row
/// (beam) decoding that input.
package struct CrossAttention: Sendable {
    /// Per step: packed by the loader for the decoder's compute type.
    package let q: Linear
    /// k and v fused into one (2·inner, D) layer: it runs once per input over every encoder position,
    /// packed as `ComputeType.sequenceWeights` (int8 products in int8, else float32).
    package let kv: Linear
    package let out: Linear
    package let heads: Int
    package let headDim: Int
    package let scale: Float

    package init(q: Linear, k: Linear, v: Linear, out: Linear, heads: Int, headDim: Int, scale: Float,
                 kvPacking: PackedType? = nil) {
        self.q = q
        self.kv = Linear.fused([k, v], packing: kvPacking)
        self.out = out
        self.heads = heads
        self.headDim = headDim
        self.scale = scale
    }

    package var innerDim: Int { heads * headDim }

    /// Keys and values of the whole (packed) encoder output: (total, 2·inner).
    package func project(_ encoderOutput: UnsafePointer<Float>, rows: Int) -> FloatBuffer {
        let kvBuffer = FloatBuffer(count: rows * 2 * innerDim, zeroed: false)
        kv(encoderOutput, rows: rows, into: kvBuffer.pointer)
        return kvBuffer
    }

    /// y(rows, D) = attention of each row over the encoder states of its source sequence.
    /// - Parameters:
    ///   - keyValues: this layer's `project` output.
    ///   - rowSource: the source sequence of each row.
    ///   - scratch: rows·2·inner floats.
    package func step(_ x: UnsafePointer<Float>, rows: Int, keyValues: FloatBuffer, sources: PackedSequences,
                     rowSource: [Int], threads: Int, scratch: UnsafeMutablePointer<Float>,
                     into y: UnsafeMutablePointer<Float>) {
        let inner = innerDim
        let queries = scratch                  // (rows, inner)
        let context = scratch + rows * inner   // (rows, inner)
        q(x, rows: rows, into: queries)
        let heads = self.heads, headDim = self.headDim, scale = self.scale
        let kvBase = UnsafePointer(keyValues.pointer)
        let maxLength = sources.maxLength
        // Rows over a short source attend one by one; consecutive rows over the same long source
        // (an input's beams) attend together as two small GEMMs per head (`Attention.block`).
        var shortRows: [Int] = []
        var longGroups: [Range<Int>] = []
        var r = 0
        while r < rows {
            let s = rowSource[r]
            var end = r + 1
            while end < rows && rowSource[end] == s { end += 1 }
            if sources.lengths[s] >= Attention.blockLength {
                // Many beams over a very long source: groups small enough for bounded scores.
                let most = Attention.blockRows(length: sources.lengths[s])
                for first in stride(from: r, to: end, by: most) { longGroups.append(first..<Swift.min(end, first + most)) }
            } else {
                shortRows.append(contentsOf: r..<end)
            }
            r = end
        }
        let largestGroup = longGroups.map(\.count).max() ?? 0
        let shortItems = shortRows.count * heads
        Parallel.chunks(shortItems + longGroups.count * heads, threads: threads, minimumPerThread: 16) { range in
            let scores = FloatBuffer(count: Swift.max(1, largestGroup) * maxLength)
            for item in range {
                if item < shortItems {
                    let r = shortRows[item / heads], h = item % heads
                    let s = rowSource[r]
                    let base = kvBase + sources.offsets[s] * 2 * inner + h * headDim
                    Attention.single(
                        q: queries + r * inner + h * headDim, headDim: headDim, scale: scale,
                        keys: base, values: base + inner, stride: 2 * inner,
                        rows: nil, length: sources.lengths[s], bias: nil,
                        scores: scores.pointer, out: context + r * inner + h * headDim)
                } else {
                    let group = longGroups[(item - shortItems) / heads], h = (item - shortItems) % heads
                    let s = rowSource[group.lowerBound]
                    let base = kvBase + sources.offsets[s] * 2 * inner + h * headDim
                    Attention.block(
                        q: queries + group.lowerBound * inner + h * headDim, qStride: inner, queries: group.count,
                        headDim: headDim, scale: scale, keys: base, values: base + inner, stride: 2 * inner,
                        length: sources.lengths[s], bias: nil, scores: scores.pointer,
                        out: context + group.lowerBound * inner + h * headDim, outStride: inner, threads: 1)
                }
            }
        }
        out(context, rows: rows, into: y)
    }

    package func stepScratch(rows: Int) -> Int { rows * 2 * innerDim }

    package var parameterCount: Int { q.parameterCount + kv.parameterCount + out.parameterCount }
}
