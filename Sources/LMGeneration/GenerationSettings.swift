// Follows transformers' generate() preparation (v5.23): _prepare_generation_config (global defaults),
// GenerationConfig.validate, get_generation_mode, _prepare_special_tokens, _prepare_generated_length and
// _validate_generated_length.

/// Options resolved to concrete values for one generate call, validated as HF validates them.
package struct GenerationSettings: Sendable {
    /// HF's generation modes that lmcore implements.
    package enum Mode: Sendable, Equatable {
        case greedy, sample, beamSearch, beamSample
    }

    package let mode: Mode
    package let numBeams: Int
    package let numReturnSequences: Int
    /// Total decoder length limit (start token and prefix included).
    package let maxLength: Int
    package let minLength: Int
    package let minNewTokens: Int?
    package let lengthPenalty: Double
    package let earlyStopping: EarlyStopping
    package let eosTokenIds: [Int32]
    package let padTokenId: Int32?
    package let decoderStartTokenId: Int32
    /// Decoder tokens before generation starts: the start token plus the forced prefix.
    package let promptLength: Int
    package let outputScores: Bool
    package let seed: UInt64
    /// The merged options with HF's global defaults filled in.
    package let options: GenerationOptions

    /// HF's `GenerationConfig._get_default_generation_params()`, the values of options nobody set.
    package static let huggingFaceDefaults: GenerationOptions = {
        var d = GenerationOptions()
        d.maxLength = 20
        d.minLength = 0
        d.doSample = false
        d.earlyStopping = .heuristic
        d.numBeams = 1
        d.temperature = 1
        d.topK = 50
        d.topP = 1
        d.typicalP = 1
        d.repetitionPenalty = 1
        d.lengthPenalty = 1
        d.noRepeatNgramSize = 0
        d.encoderNoRepeatNgramSize = 0
        d.numReturnSequences = 1
        d.removeInvalidValues = false
        d.encoderRepetitionPenalty = 1
        d.outputScores = false
        d.renormalizeLogits = false
        return d
    }()

    /// Resolves `options` (explicit options already merged over the model's defaults) like HF's `generate`.
    /// An unset `maxLength` means HF's default of 20 *new* tokens, capped by `maxPositionEmbeddings`.
    /// - Parameters:
    ///   - prefixLength: forced decoder tokens after the start token.
    ///   - maxPositionEmbeddings: the model's `max_position_embeddings`; HF caps the *default* max length by it.
    /// The longest decoder sequence lmcore generates (start token and prefix included), as the
    /// encoder's per-input limit (`Encoder.maxInputTokens`).
    package static let maxDecoderLength = 1 << 16

    package init(options explicit: GenerationOptions, prefixLength: Int = 0, maxPositionEmbeddings: Int? = nil) throws {
        if let bad = explicit.unsupportedOptions.first(where: { $0 != "penalty_alpha" }) {
            throw GenerationError.unsupported("generation option \"\(bad)\" is not supported by lmcore")
        }
        let hasDefaultMaxLength = explicit.maxLength == nil
        let o = explicit.merged(over: GenerationSettings.huggingFaceDefaults)
        options = o
        let numBeams = o.numBeams ?? 1
        let numReturn = o.numReturnSequences ?? 1
        let doSample = o.doSample ?? false
        // Sizes beyond these limits could only overflow buffers; no real search uses them.
        let limit = 1 << 20
        // Every input is decoded as max(num_beams, num_return_sequences) rows at every step: a
        // generation_config.json asking for 2^20 beams kept a call busy for minutes on a tiny model
        // (found by the C API fuzzer). Published searches use a few to a few dozen.
        let rowLimit = 1 << 12
        guard numBeams >= 1, numBeams <= rowLimit else {
            throw GenerationError.invalidArgument("num_beams must be in 1...\(rowLimit), got \(numBeams)")
        }
        guard numReturn >= 1, numReturn <= rowLimit else {
            throw GenerationError.invalidArgument("num_return_sequences must be in 1...\(rowLimit), got \(numReturn)")
        }
        if let m = o.maxNewTokens, m <= 0 || m > 1 << 40 {
            throw GenerationError.invalidArgument("max_new_tokens must be greater than 0, but is \(m)")
        }
        if let eos = o.eosTokenId, eos.count > limit {
            throw GenerationError.invalidArgument("too many eos_token_id values (\(eos.count))")
        }
        if numReturn > 1 {
            if numBeams == 1 && !doSample {
                throw GenerationError.invalidArgument(
                    "greedy search (num_beams=1, do_sample=false) cannot return \(numReturn) sequences")
            }
            if numBeams > 1 && numReturn > numBeams {
                throw GenerationError.invalidArgument(
                    "num_return_sequences (\(numReturn)) has to be smaller or equal to num_beams (\(numBeams))")
            }
        }
        if let suppressed = o.suppressTokens {
            let set = Set(suppressed)
            if let bos = o.forcedBosTokenId, set.contains(bos) {
                throw GenerationError.invalidArgument(
                    "forced_bos_token_id \(bos) is also in suppress_tokens: every logit would be -inf at that step")
            }
            if let eos = o.forcedEosTokenId, !eos.isEmpty, Set(eos).isSubset(of: set) {
                throw GenerationError.invalidArgument(
                    "every forced_eos_token_id is also in suppress_tokens: every logit would be -inf at that step")
            }
        }
        if explicit.unsupportedOptions.contains("penalty_alpha"), numBeams == 1, !doSample, (o.topK ?? 0) > 1 {
            throw GenerationError.unsupported("contrastive search (penalty_alpha with top_k > 1) is not supported")
        }
        switch (numBeams > 1, doSample) {
        case (false, false): mode = .greedy
        case (false, true): mode = .sample
        case (true, false): mode = .beamSearch
        case (true, true): mode = .beamSample
        }
        self.numBeams = numBeams
        numReturnSequences = numReturn

        // Special tokens (_prepare_special_tokens): an encoder-decoder starts from decoder_start_token_id or bos.
        guard let start = o.decoderStartTokenId ?? o.bosTokenId else {
            throw GenerationError.invalidArgument(
                "decoder_start_token_id or bos_token_id has to be defined for encoder-decoder generation")
        }
        decoderStartTokenId = start
        eosTokenIds = o.eosTokenId ?? []
        padTokenId = o.padTokenId ?? eosTokenIds.first

        // Lengths (_prepare_generated_length).
        guard prefixLength >= 0, prefixLength < 1 << 40 else {
            throw GenerationError.invalidArgument("invalid decoder prefix length \(prefixLength)")
        }
        let prompt = 1 + prefixLength
        promptLength = prompt
        var maxLength = o.maxLength ?? 20
        if let newTokens = o.maxNewTokens {
            maxLength = newTokens + prompt
        } else if hasDefaultMaxLength {
            maxLength += prompt
            if let cap = maxPositionEmbeddings { maxLength = Swift.min(maxLength, cap) }
        }
        var minLength = o.minLength ?? 0
        if let minNew = o.minNewTokens {
            guard minNew >= 0, minNew < 1 << 40 else {
                throw GenerationError.invalidArgument("min_new_tokens must be a non-negative integer, got \(minNew)")
            }
            minLength = minNew + prompt
        }
        guard minLength >= 0 else {
            throw GenerationError.invalidArgument("min_length must be a non-negative integer, got \(minLength)")
        }
        // A bound of lmcore's, not transformers': without it a model with no position limit (T5,
        // M2M100, recurrent) asked for 10^9 new tokens decodes for hours while its cache grows.
        guard maxLength <= GenerationSettings.maxDecoderLength else {
            throw GenerationError.invalidArgument("max_length \(maxLength) (with max_new_tokens and the prompt) is "
                + "longer than lmcore's limit of \(GenerationSettings.maxDecoderLength) decoder tokens per sequence")
        }
        // _validate_generated_length
        guard prompt < maxLength else {
            throw GenerationError.invalidArgument(
                "input length of decoder_input_ids is \(prompt), but max_length is set to \(maxLength); "
                    + "increase max_length or, better yet, set max_new_tokens")
        }
        self.maxLength = maxLength
        self.minLength = minLength
        minNewTokens = o.minNewTokens
        lengthPenalty = o.lengthPenalty ?? 1
        guard lengthPenalty.isFinite else {
            throw GenerationError.invalidArgument("length_penalty must be a finite number")
        }
        earlyStopping = o.earlyStopping ?? .heuristic
        outputScores = o.outputScores ?? false
        seed = o.seed ?? UInt64.random(in: .min ... .max)
    }

    /// How many sequences each input expands into (HF's `expand_size`).
    package var expandSize: Int { Swift.max(numBeams, numReturnSequences) }
}
