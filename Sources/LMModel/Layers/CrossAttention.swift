import LMTensor

/// The decoder's attention over the encoder output. Keys and values depend only on the
/// encoder output, so they are computed once per input (`project`) and shared by every row
/// (beam) decoding that input.
public struct CrossAttention: Sendable {
    public let q: Linear
    /// k and v fused into one (2·inner, D) layer.
    public let kv: Linear
    public let out: Linear
    public let heads: Int
    public let headDim: Int
    public let scale: Float

    public init(q: Linear, k: Linear, v: Linear, out: Linear, heads: Int, headDim: Int, scale: Float) {
        self.q = q
        self.kv = Linear.fused([k, v])
        self.out = out
        self.heads = heads
        self.headDim = headDim
        self.scale = scale
    }

    public var innerDim: Int { heads * headDim }

    /// Keys and values of the whole (packed) encoder output: (total, 2·inner).
    public func project(_ encoderOutput: UnsafePointer<Float>, rows: Int) -> FloatBuffer {
        let kvBuffer = FloatBuffer(count: rows * 2 * innerDim, zeroed: false)
        kv(encoderOutput, rows: rows, into: kvBuffer.pointer)
        return kvBuffer
    }

    /// y(rows, D) = attention of each row over the encoder states of its source sequence.
    /// - Parameters:
    ///   - keyValues: this layer's `project` output.
    ///   - rowSource: the source sequence of each row.
    ///   - scratch: rows·2·inner floats.
    public func step(_ x: UnsafePointer<Float>, rows: Int, keyValues: FloatBuffer, sources: PackedSequences,
                     rowSource: [Int], threads: Int, scratch: UnsafeMutablePointer<Float>,
                     into y: UnsafeMutablePointer<Float>) {
        let inner = innerDim
        let queries = scratch                  // (rows, inner)
        let context = scratch + rows * inner   // (rows, inner)
        q(x, rows: rows, into: queries)
        let heads = self.heads, headDim = self.headDim, scale = self.scale
        let kvBase = UnsafePointer(keyValues.pointer)
        let maxLength = sources.maxLength
        Parallel.chunks(rows * heads, threads: threads, minimumPerThread: 16) { range in
            let scores = FloatBuffer(count: maxLength)
            for item in range {
                let r = item / heads, h = item % heads
                let s = rowSource[r]
                let base = kvBase + sources.offsets[s] * 2 * inner + h * headDim
                Attention.single(
                    q: queries + r * inner + h * headDim, headDim: headDim, scale: scale,
                    keys: base, values: base + inner, stride: 2 * inner,
                    rows: nil, length: sources.lengths[s], bias: nil,
                    scores: scores.pointer, out: context + r * inner + h * headDim)
            }
        }
        out(context, rows: rows, into: y)
    }

    public func stepScratch(rows: Int) -> Int { rows * 2 * innerDim }

    public var parameterCount: Int { q.parameterCount + kv.parameterCount + out.parameterCount }
}
