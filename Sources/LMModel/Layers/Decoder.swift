import LMTensor
import LMInput

/// The decoder stack and the output projection (lm head).
package struct Decoder: Sendable {
    package let embeddings: Embeddings
    package let layers: [DecoderLayer]
    package let finalNorm: Norm?
    package let positionBias: PositionBias?
    /// Whether the lm head is the token table (tied embeddings).
    package let headTied: Bool
    /// Marian/BART's final_logits_bias (vocab), added to the logits.
    package let finalLogitsBias: FloatBuffer?
    /// Multiplier applied to the last hidden state before the lm head (T5 tied: d^-0.5).
    package let outputScale: Float
    package let dim: Int
    package let parameterCount: Int
    /// The (vocab, D) lm head on packed weights, with final_logits_bias as its bias: the kernels seed
    /// the logits with the bias, instead of writing the (rows, vocab) logits and adding the bias in
    /// a second pass (on an opus-mt-shaped beam search those two passes over 30 MB of logits per
    /// step took 3% of the time, perf).
    let outputProjection: Linear

    /// - Parameters:
    ///   - lmHead: (vocab, D), the token table's own storage when tied, packed by the loader
    ///     (`Linear.Weight.tokenTables`).
    package init(embeddings: Embeddings, layers: [DecoderLayer], finalNorm: Norm?, positionBias: PositionBias?,
                lmHead: Linear, finalLogitsBias: FloatBuffer?, outputScale: Float, dim: Int) {
        self.embeddings = embeddings
        self.layers = layers
        self.finalNorm = finalNorm
        self.positionBias = positionBias
        self.finalLogitsBias = finalLogitsBias
        self.outputScale = outputScale
        self.dim = dim
        headTied = lmHead.storage.isSame(as: embeddings.tokens)
        var total = layers.reduce(embeddings.parameterCount) { $0 + $1.parameterCount }
        total += finalNorm?.parameterCount ?? 0
        if !headTied { total += lmHead.parameterCount }
        parameterCount = total + (finalLogitsBias?.count ?? 0)
        var bias = lmHead.bias
        if let logitsBias = finalLogitsBias {
            if let headBias = bias {
                let sum = FloatBuffer(count: lmHead.outFeatures)
                for i in 0..<lmHead.outFeatures { sum.pointer[i] = headBias.pointer[i] + logitsBias.pointer[i] }
                bias = sum
            } else {
                bias = logitsBias
            }
        }
        outputProjection = lmHead.replacingBias(bias)
    }

    package var vocabularySize: Int { outputProjection.outFeatures }
    package var selfAttentionInner: Int { layers.first?.selfAttention.innerDim ?? 0 }
}

/// The mutable state of decoding one batch: cross-attention keys/values (computed once), the
/// self-attention cache and which source each row decodes. One per request; not shared.
package final class DecoderState {
    package let decoder: Decoder
    package let encoderOutput: EncoderOutput
    /// Per layer, the cross-attention keys/values of the whole encoder output.
    private let crossKeyValues: [FloatBuffer]
    package let cache: DecoderCache
    /// The source sequence each row decodes.
    package private(set) var rowSource: [Int]
    package let threads: Int
    private var scratch: FloatBuffer
    private var hidden: FloatBuffer

    package init(decoder: Decoder, encoderOutput: EncoderOutput, threads: Int) {
        self.decoder = decoder
        self.encoderOutput = encoderOutput
        self.threads = threads
        let n = encoderOutput.sequences.total
        crossKeyValues = decoder.layers.map { $0.crossAttention.project(encoderOutput.hidden.pointer, rows: n) }
        let rows = encoderOutput.sequences.count
        cache = DecoderCache(layers: decoder.layers.count, inner: decoder.selfAttentionInner, rows: rows)
        rowSource = Array(0..<rows)
        scratch = FloatBuffer(count: 0)
        hidden = FloatBuffer(count: 0)
    }

    package var rows: Int { rowSource.count }
    /// Tokens fed so far per row.
    package var length: Int { cache.length }

    /// Feeds one token per row; returns next-token logits (rows, vocab).
    package func step(_ tokens: [Int32]) throws -> Tensor {
        let rows = rowSource.count, d = decoder.dim
        try StepChecks.tokens(tokens, rows: rows, embeddingRows: decoder.embeddings.vocabSize)
        let position = cache.length
        guard position < decoder.embeddings.maxPositions else {
            throw InputError.invalidArgument("the decoder reached \(position) positions, the model's maximum "
                + "(max_position_embeddings)")
        }
        if hidden.count < rows * d { hidden = FloatBuffer(count: rows * d, zeroed: false) }
        let need = decoder.layers.map { $0.scratchSize(rows: rows, dim: d) }.max() ?? 0
        if scratch.count < need { scratch = FloatBuffer(count: need, zeroed: false) }

        tokens.withUnsafeBufferPointer { ids in
            decoder.embeddings(ids, positions: { _ in position }, into: hidden.pointer)
        }
        try cache.beginStep()
        for (l, layer) in decoder.layers.enumerated() {
            layer.step(hidden.pointer, rows: rows, dim: d, layer: l, cache: cache, crossKeyValues: crossKeyValues[l],
                       sources: encoderOutput.sequences, rowSource: rowSource, bias: decoder.positionBias,
                       threads: threads, scratch: scratch.pointer)
        }
        if let norm = decoder.finalNorm {
            norm(hidden.pointer, rows: rows, into: hidden.pointer)
        }
        if decoder.outputScale != 1 {
            Scale.inPlace(hidden.pointer, count: rows * d, by: decoder.outputScale)
        }
        // The lm head writes straight into the returned tensor's storage: no copy of the
        // (rows, vocab) logits, the largest activation of a step.
        return decoder.outputProjection.logits(hidden.pointer, rows: rows)
    }

    /// Keeps rows `indices` in this order (repeats allowed).
    package func reorder(_ indices: [Int]) throws {
        try StepChecks.reorder(indices, rows: rowSource.count)
        rowSource = indices.map { rowSource[$0] }
        cache.reorder(indices)
    }
}
