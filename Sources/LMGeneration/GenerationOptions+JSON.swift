#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LMInput

// Follows transformers' GenerationConfig loading (v5.23): `generation_config.json` when the model has one,
// otherwise `GenerationConfig.from_model_config(config.json)`.
extension GenerationOptions {
    /// The model's generation defaults, as transformers loads them: `generation_config.json` when present;
    /// otherwise the generation fields of `config.json` (legacy models such as OPUS-MT keep `num_beams`,
    /// `max_length`, `bad_words_ids` there), falling back per field to its `decoder` / `generator` /
    /// `text_config` section, as `GenerationConfig.from_model_config` does.
    package static func modelDefaults(generationConfigJSON: Data?, modelConfigJSON: Data?) throws -> GenerationOptions {
        try modelDefaults(generationConfig: generationConfigJSON.map { try parse($0, file: "generation_config.json") },
                          modelConfig: modelConfigJSON.map { try parse($0, file: "config.json") })
    }

    /// The same from files already parsed (LMCore parses config.json once per load).
    package static func modelDefaults(generationConfig: JSONValue?, modelConfig: JSONValue?,
                                     generationConfigFile: String = "generation_config.json",
                                     modelConfigFile: String = "config.json") throws -> GenerationOptions {
        if let value = generationConfig {
            return try GenerationOptions(generationConfig: value, file: generationConfigFile)
        }
        if let value = modelConfig {
            return try GenerationOptions(modelConfig: value, file: modelConfigFile)
        }
        return GenerationOptions()
    }

    /// Reads a `generation_config.json`. Unknown fields are ignored (HF keeps them as custom attributes);
    /// known fields of the wrong type throw, naming the field.
    package init(generationConfigJSON data: Data, file: String = "generation_config.json") throws {
        try self.init(generationConfig: GenerationOptions.parse(data, file: file), file: file)
    }

    package init(generationConfig value: JSONValue, file: String = "generation_config.json") throws {
        try self.init(fields: JSONFields(object: GenerationOptions.object(value, file: file), file: file))
    }

    /// Reads the generation fields of a model's `config.json` (HF's `from_model_config`).
    package init(modelConfigJSON data: Data, file: String = "config.json") throws {
        try self.init(modelConfig: GenerationOptions.parse(data, file: file), file: file)
    }

    package init(modelConfig value: JSONValue, file: String = "config.json") throws {
        var top = try GenerationOptions.object(value, file: file)
        top = top.filter { !$0.value.isNull }
        // Generation attributes set only in the decoder section count when the top level leaves them unset.
        for section in ["decoder", "generator", "text_config"] {
            guard let sub = top[section]?.memberDictionary, !sub.isEmpty else { continue }
            for key in GenerationOptions.knownKeys where top[key] == nil {
                if let v = sub[key] { top[key] = v }
            }
            break
        }
        let fields = JSONFields(object: top, file: file)
        try self.init(fields: fields)
        // BC: `force_bos_token_to_be_generated` meant "force bos_token_id as the first token".
        if try fields.bool("force_bos_token_to_be_generated") == true {
            forcedBosTokenId = bosTokenId
        }
    }

    /// Parses JSON as transformers does (Python's json: a duplicated field takes its last value).
    static func parse(_ data: Data, file: String) throws -> JSONValue {
        do {
            return try JSONReader.parse(data, options: .python)
        } catch {
            throw GenerationError.invalidArgument("\(file): \(error)")
        }
    }

    static func object(_ value: JSONValue, file: String) throws -> [String: JSONValue] {
        guard let fields = value.memberDictionary else {
            throw GenerationError.invalidArgument("\(file): the top level must be a JSON object")
        }
        return fields
    }

    package static let knownKeys: [String] = [
        "max_length", "max_new_tokens", "min_length", "min_new_tokens", "early_stopping", "do_sample", "num_beams",
        "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "encoder_repetition_penalty",
        "length_penalty", "no_repeat_ngram_size", "encoder_no_repeat_ngram_size", "bad_words_ids",
        "suppress_tokens", "begin_suppress_tokens", "forced_bos_token_id", "forced_eos_token_id",
        "exponential_decay_length_penalty", "remove_invalid_values", "renormalize_logits",
        "num_return_sequences", "output_scores", "bos_token_id", "eos_token_id", "pad_token_id",
        "decoder_start_token_id",
    ] + unsupportedKeys

    /// Fields that change generation but that lmcore does not implement.
    static let unsupportedKeys: [String] = [
        "num_beam_groups", "diversity_penalty", "penalty_alpha", "constraints", "force_words_ids", "sequence_bias",
        "guidance_scale", "watermarking_config", "min_p", "top_h", "epsilon_cutoff", "eta_cutoff", "dola_layers",
        "stop_strings", "max_time", "token_healing", "prompt_lookup_num_tokens", "use_mtp", "low_memory",
        "assistant_early_exit",
    ]

    init(fields f: JSONFields) throws {
        self.init()
        maxLength = try f.int("max_length")
        maxNewTokens = try f.int("max_new_tokens")
        minLength = try f.int("min_length")
        minNewTokens = try f.int("min_new_tokens")
        if let v = f.value("early_stopping") {
            switch v {
            case .bool(true): earlyStopping = .whenFull
            case .bool(false): earlyStopping = .heuristic
            case .string("never"): earlyStopping = .never
            default:
                throw GenerationError.invalidArgument(
                    "\(f.file): field \"early_stopping\" must be true, false or \"never\", got \(v.kind)")
            }
        }
        doSample = try f.bool("do_sample")
        numBeams = try f.int("num_beams")
        numReturnSequences = try f.int("num_return_sequences")
        lengthPenalty = try f.double("length_penalty")
        temperature = try f.double("temperature")
        topK = try f.int("top_k")
        topP = try f.double("top_p")
        typicalP = try f.double("typical_p")
        repetitionPenalty = try f.double("repetition_penalty")
        encoderRepetitionPenalty = try f.double("encoder_repetition_penalty")
        noRepeatNgramSize = try f.int("no_repeat_ngram_size")
        encoderNoRepeatNgramSize = try f.int("encoder_no_repeat_ngram_size")
        badWordsIds = try f.tokenLists("bad_words_ids")
        suppressTokens = try f.tokenList("suppress_tokens")
        beginSuppressTokens = try f.tokenList("begin_suppress_tokens")
        forcedBosTokenId = try f.tokenId("forced_bos_token_id")
        forcedEosTokenId = try f.tokenIds("forced_eos_token_id")
        if let v = f.value("exponential_decay_length_penalty") {
            guard case .array(let pair) = v, pair.count == 2, let start = JSONFields.integer(pair[0]),
                  let factor = pair[1].double, factor.isFinite else {
                throw f.fail("exponential_decay_length_penalty", "a pair [start_index, decay_factor]", v)
            }
            exponentialDecayLengthPenalty = ExponentialDecay(startIndex: start, decayFactor: factor)
        }
        removeInvalidValues = try f.bool("remove_invalid_values")
        renormalizeLogits = try f.bool("renormalize_logits")
        outputScores = try f.bool("output_scores")
        bosTokenId = try f.tokenId("bos_token_id")
        eosTokenId = try f.tokenIds("eos_token_id")
        padTokenId = try f.tokenId("pad_token_id")
        decoderStartTokenId = try f.tokenId("decoder_start_token_id")
        unsupportedOptions = try GenerationOptions.activeUnsupported(f)
    }

    /// The unsupported fields whose value would change what HF generates.
    static func activeUnsupported(_ f: JSONFields) throws -> [String] {
        var active: [String] = []
        for key in unsupportedKeys {
            guard let v = f.value(key) else { continue }
            let isActive: Bool
            switch (key, v.double) {
            case ("num_beam_groups", let d?): isActive = d > 1
            // Diversity only matters with beam groups, which num_beam_groups reports.
            case ("diversity_penalty", _): isActive = false
            case ("penalty_alpha", let d?): isActive = d != 0
            case ("guidance_scale", let d?): isActive = d != 1
            case ("epsilon_cutoff", let d?), ("eta_cutoff", let d?): isActive = d > 0 && d < 1
            default: isActive = v.bool ?? true
            }
            if isActive { active.append(key) }
        }
        return active
    }
}
