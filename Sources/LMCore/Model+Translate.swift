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
    /// The whole pipeline: text → tokenizer → ids → encoder (once per batch) → search with a step
    /// decoder over cached state → ids → text. `request` chooses the target language and prefixes,
    /// truncation (by default at the model's position limit, as CTranslate2's max_input_length)
    /// and batching; each input's result is independent of its batch. Returns each input's
    /// hypotheses, best first, in input order.
    /// `onText` streams the translations as text: stable pieces (transformers' TextStreamer rules,
    /// `TextStreamAssembler`), the rest of each input when its batch finishes.
    public func translate(_ texts: [String], options: GenerationOptions = GenerationOptions(),
                          request: RequestOptions = RequestOptions(),
                          onTokens: TokenCallback? = nil, onText: TextCallback? = nil) throws(LMCoreError) -> [[Translation]] {
        let sources = try prepareSources(texts, request: request)
        return try translate(preparedSources: sources, options: options, request: request, onTokens: onTokens,
                             onText: onText)
    }

    /// The encoder inputs `translate` makes of `texts` under `request`: tokenized with special
    /// tokens, the target language's source tag first when the model takes one, truncated as
    /// `maxInputLength` says. For callers that check or count tokens before translating (the server).
    public func prepareSources(_ texts: [String], request: RequestOptions) throws(LMCoreError) -> [[Int32]] {
        let tokenizer = try requireTokenizer()
        try request.validate(inputs: texts.count)
        let target = try targetLanguage(request.targetLanguage)
        let limit = request.maxInputLength ?? network.config.maxSourceLength
        var sources: [[Int32]] = []
        sources.reserveCapacity(texts.count)
        for (i, text) in texts.enumerated() {
            let ids = try lmcore({ try Tokenizers.encode(text, with: tokenizer, maxLength: limit == 0 ? nil : limit,
                                                         sourcePrefix: target?.sourcePrefix) },
                                 context: "input \(i)")
            sources.append(ids)
        }
        return sources
    }

    /// `translate` from `prepareSources`' output (the same `request`): search, then decoding to text.
    public func translate(preparedSources sources: [[Int32]], options: GenerationOptions = GenerationOptions(),
                          request: RequestOptions = RequestOptions(),
                          onTokens: TokenCallback? = nil, onText: TextCallback? = nil) throws(LMCoreError) -> [[Translation]] {
        let tokenizer = try requireTokenizer()
        try request.validate(inputs: sources.count)
        let target = try targetLanguage(request.targetLanguage)
        var streamed = onTokens
        var batchEnd: (([Int]) throws -> Void)? = nil
        if let onText {
            let assembler = TextStreamAssembler(tokenizer: tokenizer)
            streamed = { event in
                if let tokens = onTokens, !tokens(event) { return false }
                guard let piece = try? assembler.add(event) else { return true }
                return onText(piece)
            }
            batchEnd = { batch in
                for piece in try assembler.finish(inputs: Set(batch)) where !onText(piece) {
                    throw LMCoreError(.cancelled, "the text callback asked to stop")
                }
            }
        }
        let hypotheses = try generate(sources, options: options, request: request, target: target, onTokens: streamed,
                                      onBatchEnd: batchEnd)
        return try hypotheses.enumerated().map { i, hyps throws(LMCoreError) in
            try lmcore({
                try hyps.map { h in
                    Translation(text: try tokenizer.decode(h.ids, skipSpecialTokens: true), ids: h.ids,
                                score: h.score, tokenLogProbs: h.tokenLogProbs)
                }
            }, context: "input \(i)")
        }
    }

    /// ids → ids with `request`'s target language, prefixes, truncation (first `maxInputLength`
    /// ids; none by default: ids are the encoder input exactly) and batching. Results in input order.
    public func generate(_ sources: [[Int32]], options: GenerationOptions = GenerationOptions(),
                         request: RequestOptions,
                         onTokens: TokenCallback? = nil) throws(LMCoreError) -> [[Hypothesis]] {
        try request.validate(inputs: sources.count)
        let target = try targetLanguage(request.targetLanguage)
        var inputs = sources
        if let prefix = target?.sourcePrefix {
            inputs = inputs.map { prefix + $0 }
        }
        if let n = request.maxInputLength, n > 0 {
            inputs = inputs.map { Array($0.prefix(n)) }
        }
        return try generate(inputs, options: options, request: request, target: target, onTokens: onTokens,
                            onBatchEnd: nil)
    }

    /// Validates every input with its index in the call, then generates batch by batch.
    private func generate(_ sources: [[Int32]], options: GenerationOptions, request: RequestOptions,
                          target: TargetLanguage?, onTokens: TokenCallback?,
                          onBatchEnd: (([Int]) throws -> Void)?) throws(LMCoreError) -> [[Hypothesis]] {
        try lmcore { try network.validate(sources) }
        var merged = options
        if let bos = target?.forcedBosTokenId, merged.forcedBosTokenId == nil { merged.forcedBosTokenId = bos }
        var results = [[Hypothesis]](repeating: [], count: sources.count)
        let groups = sources.indices.map { request.prefix($0).count }
        for batch in Batching.batches(lengths: sources.map(\.count), groups: groups, options: request) {
            let streamed: TokenCallback? = onTokens.map { callback in
                { event in
                    var shifted = event
                    shifted.input = batch[event.input]
                    return callback(shifted)
                }
            }
            let prefixes = request.targetPrefixes == nil ? nil : batch.map { request.prefix($0) }
            let hypotheses = try generate(batch.map { sources[$0] }, options: merged, decoderPrefixes: prefixes,
                                          onTokens: streamed)
            for (k, i) in batch.enumerated() { results[i] = hypotheses[k] }
            try lmcore { try onBatchEnd?(batch) }
        }
        return results
    }
}
