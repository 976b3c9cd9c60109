import LMTensor

/// One encoder layer: self-attention then feed-forward, each with a residual connection and a
/// norm placed before (pre-LN) or after (post-LN) the sublayer.
package struct EncoderLayer: Sendable {
    package let selfAttention: SelfAttention
    package let selfAttentionNorm: Norm
    package let feedForward: FeedForward
    package let finalNorm: Norm
    package let preNorm: Bool

    package init(selfAttention: SelfAttention, selfAttentionNorm: Norm, feedForward: FeedForward,
                finalNorm: Norm, preNorm: Bool) {
        self.selfAttention = selfAttention
        self.selfAttentionNorm = selfAttentionNorm
        self.feedForward = feedForward
        self.finalNorm = finalNorm
        self.preNorm = preNorm
    }

    /// Scratch floats for `rows` rows.
    package func scratchSize(rows: Int, dim: Int) -> Int {
        rows * dim + max(selfAttention.encodeScratch(rows: rows), feedForward.hiddenSize(rows: rows))
    }

    /// Updates the packed hidden states h (total, D) in place.
    package func callAsFunction(_ h: UnsafeMutablePointer<Float>, sequences: PackedSequences, dim: Int,
                               bias: PositionBias?, threads: Int, scratch: UnsafeMutablePointer<Float>) {
        let n = sequences.total
        let sublayer = scratch              // (n, D): normalised input, then sublayer output
        let work = scratch + n * dim
        // Self-attention.
        if preNorm {
            selfAttentionNorm(h, rows: n, into: sublayer)
            selfAttention.encode(sublayer, sequences: sequences, bias: bias, threads: threads, scratch: work,
                                 into: sublayer)
            Scale.add(sublayer, into: h, count: n * dim)
        } else {
            selfAttention.encode(h, sequences: sequences, bias: bias, threads: threads, scratch: work,
                                 into: sublayer)
            Scale.add(sublayer, into: h, count: n * dim)
            selfAttentionNorm(h, rows: n, into: h)
        }
        // Feed-forward.
        if preNorm {
            finalNorm(h, rows: n, into: sublayer)
            // In and out may alias: the input is fully read (fc1, gate) before fc2 writes.
            feedForward(sublayer, rows: n, hidden: work, into: sublayer)
            Scale.add(sublayer, into: h, count: n * dim)
        } else {
            feedForward(h, rows: n, hidden: work, into: sublayer)
            Scale.add(sublayer, into: h, count: n * dim)
            finalNorm(h, rows: n, into: h)
        }
    }

    package var parameterCount: Int {
        selfAttention.parameterCount + selfAttentionNorm.parameterCount + feedForward.parameterCount
            + finalNorm.parameterCount
    }
}
