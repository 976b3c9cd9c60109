import LMModel

/// The encoder's view of a batch: per-token hidden states and a mean-pooled vector per input.
public struct EncoderEmbeddings: Sendable {
    /// For each input, (length, d_model) row-major final encoder states.
    public var tokenStates: [[Float]]
    /// For each input, the mean of its token states (d_model values).
    public var sentenceVectors: [[Float]]
    public var dModel: Int

    public init(tokenStates: [[Float]], sentenceVectors: [[Float]], dModel: Int) {
        self.tokenStates = tokenStates
        self.sentenceVectors = sentenceVectors
        self.dModel = dModel
    }
}

extension Model {
    /// Runs only the encoder ("the encoder turns a sentence into a vector").
    public func embed(_ sources: [[Int32]]) throws(LMCoreError) -> EncoderEmbeddings {
        let output = try lmcore { try network.encode(sources) }
        let d = output.dim
        var tokens: [[Float]] = [], vectors: [[Float]] = []
        for i in 0..<sources.count {
            let states = output.states(of: i).storage
            tokens.append(states)
            let n = output.sequences.lengths[i]
            var mean = [Float](repeating: 0, count: d)
            for t in 0..<n {
                for j in 0..<d { mean[j] += states[t * d + j] }
            }
            let inv = 1 / Float(max(1, n))
            vectors.append(mean.map { $0 * inv })
        }
        return EncoderEmbeddings(tokenStates: tokens, sentenceVectors: vectors, dModel: d)
    }

    /// `embed` on text (tokenized with special tokens, as the model was trained).
    public func embed(texts: [String]) throws(LMCoreError) -> EncoderEmbeddings {
        let tokenizer = try requireTokenizer()
        let sources = try lmcore { try texts.map { try tokenizer.encode($0).ids } }
        return try embed(sources)
    }
}
