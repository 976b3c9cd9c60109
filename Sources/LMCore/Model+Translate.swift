import LMGeneration
import LMTokenizer

/// One output of `translate`: the decoded text and what it was decoded from.
public struct Translation: Sendable, Equatable {
    /// The generated text (special tokens skipped, tokenizer clean-up applied).
    public var text: String
    /// The generated ids after the decoder start token, EOS included when generated.
    public var ids: [Int32]
    /// See `Hypothesis.score`.
    public var score: Float?
    public var tokenLogProbs: [Float]?
}

extension Model {
    /// The whole pipeline: text → tokenizer → ids → encoder (once) → search with a step decoder
    /// over cached state → ids → text. Inputs are processed in batches of `batchSize`; each
    /// input's result is independent of its batch. Returns each input's hypotheses, best first.
    public func translate(_ texts: [String], options: GenerationOptions = GenerationOptions(),
                          batchSize: Int = 32, onTokens: TokenCallback? = nil) throws(LMCoreError) -> [[Translation]] {
        let tokenizer = try requireTokenizer()
        guard batchSize > 0 else { throw LMCoreError(.invalidArgument, "batch size must be at least 1") }
        var results: [[Translation]] = []
        results.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let end = min(texts.count, start + batchSize)
            let sources = try lmcore { try texts[start..<end].map { try tokenizer.encode($0).ids } }
            let offset = start
            let streamed: TokenCallback? = onTokens.map { callback in
                { event in
                    var shifted = event
                    shifted.input += offset
                    return callback(shifted)
                }
            }
            let hypotheses = try generate(sources, options: options, onTokens: streamed)
            for hyps in hypotheses {
                results.append(try lmcore {
                    try hyps.map { h in
                        Translation(text: try tokenizer.decode(h.ids, skipSpecialTokens: true), ids: h.ids,
                                    score: h.score, tokenLogProbs: h.tokenLogProbs)
                    }
                })
            }
            start = end
        }
        return results
    }
}
