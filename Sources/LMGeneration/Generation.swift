import LMTensor

/// One source sequence to generate from.
package struct GenerationInput: Sendable, Equatable {
    /// The encoder ids, used only by `encoder_no_repeat_ngram_size` and `encoder_repetition_penalty`.
    /// HF sees a padded batch: to reproduce its batched results exactly, pass the padded ids.
    package var encoderInputIds: [Int32]
    /// Decoder tokens forced after the decoder start token (HF `decoder_input_ids` minus the start
    /// token). All inputs of one call must have prefixes of the same length, as HF's rectangular
    /// `decoder_input_ids` do.
    package var decoderPrefix: [Int32]

    package init(encoderInputIds: [Int32] = [], decoderPrefix: [Int32] = []) {
        self.encoderInputIds = encoderInputIds
        self.decoderPrefix = decoderPrefix
    }
}

/// One generated sequence.
public struct Hypothesis: Sendable, Equatable {
    /// Decoder tokens after the start token: the forced prefix, then the generated tokens, ending with the
    /// EOS token when one was generated (HF's `sequences` row without the start token and padding).
    public var ids: [Int32]
    /// Beam search: HF's `sequences_scores` (sum of processed log-probs / generated_length^length_penalty).
    /// Greedy and sampling: the sum of `tokenLogProbs` when `outputScores` is set, else `nil`.
    public var score: Float?
    /// With `outputScores`: one log-probability per generated token (the prefix excluded), as
    /// `compute_transition_scores` gives: for beam search the processed log-softmax scores
    /// (`normalize_logits=False`); for greedy and sampling the log-softmax of the processed logits
    /// (`normalize_logits=True`).
    public var tokenLogProbs: [Float]?

    public init(ids: [Int32], score: Float?, tokenLogProbs: [Float]? = nil) {
        self.ids = ids
        self.score = score
        self.tokenLogProbs = tokenLogProbs
    }
}

/// New tokens of one sequence, handed to the streaming callback.
public struct TokenEvent: Sendable, Equatable {
    /// The input (index into `inputs`).
    public var input: Int
    /// Which of the input's sequences: 0..<num_return_sequences when sampling, always 0 otherwise.
    public var sequence: Int
    /// Tokens that are now final, in order. Greedy and sampling emit one token per step. Beam search emits
    /// the prefix every hypothesis that can still be returned first agrees on, and the rest of the best
    /// hypothesis when the input finishes. The forced prefix is never streamed; EOS is.
    public var tokens: [Int32]

    public init(input: Int, sequence: Int, tokens: [Int32]) {
        self.input = input
        self.sequence = sequence
        self.tokens = tokens
    }
}

/// Streaming callback: return `false` to stop; generate then throws `GenerationError.cancelled`
/// (the tokens streamed so far are the partial result).
public typealias TokenCallback = (TokenEvent) -> Bool

/// Search over a step decoder: greedy, sampling, beam search and beam sampling as transformers' `generate`
/// does them, and teacher-forced scoring.
package enum Generation {
    /// Generates for every input, returning each input's hypotheses best first: `num_return_sequences`
    /// of them (beam search: the n best; sampling: independent samples; greedy: one).
    ///
    /// The decoder starts with one row per input, in input order; search expands rows into beams,
    /// follows beam reordering and drops finished inputs through `reorder` (results are identical to
    /// HF's, which keeps computing finished rows).
    /// - Parameters:
    ///   - options: explicit options merged over the model's defaults (see `GenerationOptions.merged(over:)`).
    ///   - maxPositionEmbeddings: the model's position limit, which caps HF's default max length.
    ///   - onTokens: optional streaming callback.
    package static func generate<D: StepDecoder>(
        decoder: inout D, inputs: [GenerationInput], options: GenerationOptions,
        maxPositionEmbeddings: Int? = nil, onTokens: TokenCallback? = nil
    ) throws -> [[Hypothesis]] {
        guard !inputs.isEmpty else { return [] }
        let prefixLength = inputs[0].decoderPrefix.count
        guard inputs.allSatisfy({ $0.decoderPrefix.count == prefixLength }) else {
            throw GenerationError.unsupported(
                "decoder prefixes of different lengths in one call (HF's decoder_input_ids are rectangular)")
        }
        let settings = try GenerationSettings(options: options, prefixLength: prefixLength,
                                              maxPositionEmbeddings: maxPositionEmbeddings)
        let vocab = decoder.vocabularySize
        guard vocab > 0, vocab <= Int(Int32.max) else {
            throw GenerationError.invalidArgument("the decoder's vocabulary size is \(vocab)")
        }
        var prompts: [[Int32]] = []
        prompts.reserveCapacity(inputs.count)
        for (i, input) in inputs.enumerated() {
            let prompt = [settings.decoderStartTokenId] + input.decoderPrefix
            for id in prompt where id < 0 || Int(id) >= vocab {
                throw GenerationError.invalidArgument(
                    "input \(i): decoder token \(id) (start token or prefix) is outside the vocabulary of \(vocab)")
            }
            prompts.append(prompt)
        }
        var processors = try LogitsProcessorList.huggingFace(
            settings: settings, encoderInputIds: inputs.map(\.encoderInputIds), vocabularySize: vocab)
        var run = SearchRun(settings: settings, vocabularySize: vocab, prompts: prompts, onTokens: onTokens)
        switch settings.mode {
        case .greedy, .sample:
            return try run.greedy(decoder: &decoder, processors: &processors)
        case .beamSearch, .beamSample:
            return try run.beam(decoder: &decoder, processors: &processors)
        }
    }
}

/// State shared by the search loops of one generate call.
struct SearchRun {
    let settings: GenerationSettings
    let vocab: Int
    let prompts: [[Int32]]
    let onTokens: TokenCallback?
    let rng: CounterRNG
    let eos: Set<Int32>

    init(settings: GenerationSettings, vocabularySize: Int, prompts: [[Int32]], onTokens: TokenCallback?) {
        self.settings = settings
        vocab = vocabularySize
        self.prompts = prompts
        self.onTokens = onTokens
        rng = CounterRNG(seed: settings.seed)
        eos = Set(settings.eosTokenIds)
    }

    /// Feeds the decoder prompt (start token, then the prefix) for one row per input and returns the
    /// logits after its last token.
    func prefill<D: StepDecoder>(_ decoder: inout D) throws -> Tensor {
        let length = prompts[0].count
        var logits = Tensor(shape: [0])
        for position in 0..<length {
            logits = try step(&decoder, prompts.map { $0[position] }, rows: prompts.count)
        }
        return logits
    }

    /// One decoder step, with the logits' shape checked (the decoder is another module's code).
    func step<D: StepDecoder>(_ decoder: inout D, _ tokens: [Int32], rows: Int) throws -> Tensor {
        let logits = try decoder.step(tokens)
        guard logits.shape == [rows, vocab], logits.storage.count == rows * vocab else {
            throw GenerationError.invalidArgument(
                "the step decoder returned logits of shape \(logits.shape), expected [\(rows), \(vocab)]")
        }
        return logits
    }

    /// Delivers streamed tokens; throws `cancelled` when the callback asks to stop.
    func emit(_ event: TokenEvent) throws {
        guard let onTokens, !event.tokens.isEmpty else { return }
        if !onTokens(event) { throw GenerationError.cancelled }
    }
}
