import LMTensor

/// One decoder layer: causal self-attention (cached), cross-attention over the encoder output,
/// then feed-forward; residuals and pre-/post-LN as in EncoderLayer. A decoder step multiplies 1-256
/// rows, so the loaders build its projections on packed weights (`packing:`), no per-call packing.
package struct DecoderLayer: Sendable {
    package let selfAttention: SelfAttention
    package let selfAttentionNorm: Norm
    package let crossAttention: CrossAttention
    package let crossAttentionNorm: Norm
    package let feedForward: FeedForward
    package let finalNorm: Norm
    package let preNorm: Bool

    package init(selfAttention: SelfAttention, selfAttentionNorm: Norm, crossAttention: CrossAttention,
                crossAttentionNorm: Norm, feedForward: FeedForward, finalNorm: Norm, preNorm: Bool) {
        self.selfAttention = selfAttention
        self.selfAttentionNorm = selfAttentionNorm
        self.crossAttention = crossAttention
        self.crossAttentionNorm = crossAttentionNorm
        self.feedForward = feedForward
        self.finalNorm = finalNorm
        self.preNorm = preNorm
    }

    package func scratchSize(rows: Int, dim: Int) -> Int {
        rows * dim + max(selfAttention.stepScratch(rows: rows), crossAttention.stepScratch(rows: rows),
                         feedForward.hiddenSize(rows: rows))
    }

    /// One step for `rows` rows: updates h (rows, D) in place.
    package func step(_ h: UnsafeMutablePointer<Float>, rows: Int, dim: Int, layer: Int, cache: DecoderCache,
                     crossKeyValues: FloatBuffer, sources: PackedSequences, rowSource: [Int],
                     bias: PositionBias?, threads: Int, scratch: UnsafeMutablePointer<Float>) {
        let sublayer = scratch
        let work = scratch + rows * dim
        let count = rows * dim

        // Self-attention over this row's history.
        if preNorm {
            selfAttentionNorm(h, rows: rows, into: sublayer)
            selfAttention.step(sublayer, rows: rows, cache: cache, layer: layer, bias: bias, threads: threads,
                               scratch: work, into: sublayer)
            Scale.add(sublayer, into: h, count: count)
        } else {
            selfAttention.step(h, rows: rows, cache: cache, layer: layer, bias: bias, threads: threads,
                               scratch: work, into: sublayer)
            Scale.add(sublayer, into: h, count: count)
            selfAttentionNorm(h, rows: rows, into: h)
        }

        // Cross-attention over the encoder output.
        if preNorm {
            crossAttentionNorm(h, rows: rows, into: sublayer)
            crossAttention.step(sublayer, rows: rows, keyValues: crossKeyValues, sources: sources,
                                rowSource: rowSource, threads: threads, scratch: work, into: sublayer)
            Scale.add(sublayer, into: h, count: count)
        } else {
            crossAttention.step(h, rows: rows, keyValues: crossKeyValues, sources: sources,
                                rowSource: rowSource, threads: threads, scratch: work, into: sublayer)
            Scale.add(sublayer, into: h, count: count)
            crossAttentionNorm(h, rows: rows, into: h)
        }

        // Feed-forward.
        if preNorm {
            finalNorm(h, rows: rows, into: sublayer)
            feedForward(sublayer, rows: rows, hidden: work, into: sublayer)
            Scale.add(sublayer, into: h, count: count)
        } else {
            feedForward(h, rows: rows, hidden: work, into: sublayer)
            Scale.add(sublayer, into: h, count: count)
            finalNorm(h, rows: rows, into: h)
        }
    }

    package var parameterCount: Int {
        selfAttention.parameterCount + selfAttentionNorm.parameterCount + crossAttention.parameterCount
            + crossAttentionNorm.parameterCount + feedForward.parameterCount + finalNorm.parameterCount
    }
}
