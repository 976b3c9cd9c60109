/// HF `early_stopping`: when beam search may stop (transformers `GenerationConfig.early_stopping`).
public enum EarlyStopping: Sendable, Equatable {
    /// `False` (HF's default): stop an input when the heuristic says its best running beam, scored at the
    /// current length, cannot beat the worst finished hypothesis.
    case heuristic
    /// `True`: stop an input as soon as it has `num_beams` finished hypotheses.
    case whenFull
    /// `"never"`: canonical beam search; with a positive length penalty the best running beam is scored at
    /// `max_length`, so an input stops only when no better hypothesis is possible.
    case never
}

/// Every generation option lmcore supports, named after transformers' `GenerationConfig` fields.
///
/// `nil` means "unset": the value comes from the next source down, in HF's order of precedence:
/// explicit options > the model's `generation_config.json` (or, when that file is absent, the legacy
/// fields of `config.json`) > HF's global defaults. Build the explicit layer by hand, the model layer with
/// ``GenerationOptions/modelDefaults(generationConfigJSON:modelConfigJSON:)``, combine them with
/// ``merged(over:)``; search resolves the remaining `nil`s to HF's defaults (see ``GenerationSettings``).
public struct GenerationOptions: Sendable, Equatable {
    // Length
    /// Total decoder length, counting the decoder start token and any forced prefix. Default 20 new tokens.
    public var maxLength: Int?
    /// New tokens after the decoder prompt (start token + prefix); takes precedence over `maxLength`.
    public var maxNewTokens: Int?
    /// Minimum total decoder length (counting the start token) before an EOS may be chosen.
    public var minLength: Int?
    /// Minimum number of new tokens before an EOS may be chosen; takes precedence over `minLength`.
    public var minNewTokens: Int?

    // Strategy
    public var numBeams: Int?
    public var numReturnSequences: Int?
    /// Beam scores are divided by `generated_length ** lengthPenalty` (the start token and prefix do not count).
    public var lengthPenalty: Double?
    public var earlyStopping: EarlyStopping?
    public var doSample: Bool?

    // Sampling warpers (used only when `doSample` is true)
    public var temperature: Double?
    /// HF's default is 50 (applies whenever sampling); 0 disables it.
    public var topK: Int?
    public var topP: Double?
    public var typicalP: Double?

    // Logits processors
    public var repetitionPenalty: Double?
    public var encoderRepetitionPenalty: Double?
    public var noRepeatNgramSize: Int?
    public var encoderNoRepeatNgramSize: Int?
    public var badWordsIds: [[Int32]]?
    public var suppressTokens: [Int32]?
    public var beginSuppressTokens: [Int32]?
    public var forcedBosTokenId: Int32?
    /// One or several ids; all get log-probability 0 at the last step.
    public var forcedEosTokenId: [Int32]?
    /// HF `exponential_decay_length_penalty`: (start index, decay factor).
    public var exponentialDecayLengthPenalty: ExponentialDecay?
    public var removeInvalidValues: Bool?
    public var renormalizeLogits: Bool?

    // Special tokens
    public var bosTokenId: Int32?
    /// One or several end-of-sequence ids.
    public var eosTokenId: [Int32]?
    public var padTokenId: Int32?
    public var decoderStartTokenId: Int32?

    // lmcore-only (not in HF's generation_config.json)
    /// Seed of the sampling generator; `nil` draws a fresh seed per call.
    public var seed: UInt64?
    /// HF `output_scores`: also return per-token log-probabilities (and, for greedy/sampling, their sum).
    public var outputScores: Bool?

    /// Names of options found in a configuration file that change generation but that lmcore does not
    /// implement (e.g. `num_beam_groups`, `sequence_bias`). Search throws `unsupported` when any is set.
    public var unsupportedOptions: [String] = []

    /// HF `exponential_decay_length_penalty`.
    public struct ExponentialDecay: Sendable, Equatable {
        public var startIndex: Int
        public var decayFactor: Double
        public init(startIndex: Int, decayFactor: Double) {
            self.startIndex = startIndex
            self.decayFactor = decayFactor
        }
    }

    /// All options unset.
    public init() {}

    /// These options where set, `base` where these are unset (HF's `update(defaults_only=True)`).
    public func merged(over base: GenerationOptions) -> GenerationOptions {
        var m = self
        m.maxLength = maxLength ?? base.maxLength
        m.maxNewTokens = maxNewTokens ?? base.maxNewTokens
        m.minLength = minLength ?? base.minLength
        m.minNewTokens = minNewTokens ?? base.minNewTokens
        m.numBeams = numBeams ?? base.numBeams
        m.numReturnSequences = numReturnSequences ?? base.numReturnSequences
        m.lengthPenalty = lengthPenalty ?? base.lengthPenalty
        m.earlyStopping = earlyStopping ?? base.earlyStopping
        m.doSample = doSample ?? base.doSample
        m.temperature = temperature ?? base.temperature
        m.topK = topK ?? base.topK
        m.topP = topP ?? base.topP
        m.typicalP = typicalP ?? base.typicalP
        m.repetitionPenalty = repetitionPenalty ?? base.repetitionPenalty
        m.encoderRepetitionPenalty = encoderRepetitionPenalty ?? base.encoderRepetitionPenalty
        m.noRepeatNgramSize = noRepeatNgramSize ?? base.noRepeatNgramSize
        m.encoderNoRepeatNgramSize = encoderNoRepeatNgramSize ?? base.encoderNoRepeatNgramSize
        m.badWordsIds = badWordsIds ?? base.badWordsIds
        m.suppressTokens = suppressTokens ?? base.suppressTokens
        m.beginSuppressTokens = beginSuppressTokens ?? base.beginSuppressTokens
        m.forcedBosTokenId = forcedBosTokenId ?? base.forcedBosTokenId
        m.forcedEosTokenId = forcedEosTokenId ?? base.forcedEosTokenId
        m.exponentialDecayLengthPenalty = exponentialDecayLengthPenalty ?? base.exponentialDecayLengthPenalty
        m.removeInvalidValues = removeInvalidValues ?? base.removeInvalidValues
        m.renormalizeLogits = renormalizeLogits ?? base.renormalizeLogits
        m.bosTokenId = bosTokenId ?? base.bosTokenId
        m.eosTokenId = eosTokenId ?? base.eosTokenId
        m.padTokenId = padTokenId ?? base.padTokenId
        m.decoderStartTokenId = decoderStartTokenId ?? base.decoderStartTokenId
        m.seed = seed ?? base.seed
        m.outputScores = outputScores ?? base.outputScores
        // An unsupported option stays unsupported unless explicitly overridden; explicit ones are never set.
        m.unsupportedOptions = unsupportedOptions + base.unsupportedOptions.filter { !unsupportedOptions.contains($0) }
        return m
    }
}
