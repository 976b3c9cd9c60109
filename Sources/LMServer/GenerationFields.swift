import LMCore
import LMGeneration
import LMInput

/// The generation options of a native API request, named as in transformers' `generate` (and
/// lmcore's Python `Model.translate`): `num_beams` (or `beam_size`), `num_return_sequences`,
/// `max_new_tokens`, `do_sample`, `temperature`, `top_k`, `top_p`, `seed`, `return_scores`, the
/// penalties and processors, plus the request options `target_lang`, `target_prefix`,
/// `max_input_length`. Unset fields take the model's generation_config.json.
struct GenerationFields {
    var options: GenerationOptions
    var request: RequestOptions

    /// Reads (and removes from `fields`) every generation field, then checks the server's limits and,
    /// through `Model.check`, the request options (prefix count, target language) before any work.
    static func read(_ fields: inout RequestFields, inputs: Int, limits: ServerOptions,
                     model: Model) throws(APIError) -> GenerationFields {
        var hf: [(key: String, value: JSONValue)] = []
        for key in GenerationOptions.knownKeys {
            if let v = fields.value(key) { hf.append((key, v)) }
        }
        var options: GenerationOptions
        do {
            options = try GenerationOptions(generationConfig: .object(hf), file: "request")
        } catch {
            throw .badRequest("Invalid request: \(error)")
        }
        guard options.unsupportedOptions.isEmpty else {
            throw .badRequest("Invalid request: lmcore does not implement "
                + options.unsupportedOptions.joined(separator: ", "))
        }
        if let beams = try fields.int("beam_size", in: 1...Int(Int32.max)) {
            if let n = options.numBeams, n != beams {
                throw .badRequest("Invalid request: beam_size \(beams) and num_beams \(n) disagree")
            }
            options.numBeams = beams
        }
        if let scores = try fields.bool("return_scores") { options.outputScores = scores }
        if let seed = fields.value("seed") {
            guard let s = seed.integer, s >= 0 else {
                throw .badRequest("Invalid request: seed must be a non-negative integer, got \(seed.kind)")
            }
            options.seed = UInt64(s)
        }
        // The ranges the Python binding checks (transformers itself skips a top_p >= 1 silently;
        // from a client, 2.5 is a mistake worth saying).
        let ranges: [(String, Double?, (Double) -> Bool, String)] = [
            ("top_p", options.topP, { 0 <= $0 && $0 <= 1 }, "in [0, 1]"),
            ("temperature", options.temperature, { $0 > 0 }, "> 0"),
            ("repetition_penalty", options.repetitionPenalty, { $0 > 0 }, "> 0"),
            ("length_penalty", options.lengthPenalty, { $0.isFinite }, "finite"),
        ]
        for (name, value, ok, rule) in ranges {
            if let value, !ok(value) { throw .badRequest("Invalid request: \(name) must be \(rule), got \(value)") }
        }
        for (name, value) in [("max_new_tokens", options.maxNewTokens), ("max_length", options.maxLength)] {
            if let value, value > limits.maxNewTokens {
                throw .badRequest("Invalid request: \(name) is \(value); this server allows at most \(limits.maxNewTokens)")
            }
        }
        for (name, value) in [("num_beams", options.numBeams), ("num_return_sequences", options.numReturnSequences)] {
            if let value, value > limits.maxBeams {
                throw .badRequest("Invalid request: \(name) is \(value); this server allows at most \(limits.maxBeams)")
            }
        }

        var request = RequestOptions()
        request.targetLanguage = try fields.string("target_lang")
        if let prefix = fields.value("target_prefix") {
            // One list of ids for every input, or one list per input.
            if let first = prefix.items?.first, first.items != nil {
                request.targetPrefixes = try RequestFields.idLists(prefix, key: "target_prefix")
            } else {
                request.targetPrefixes = [try RequestFields.ids(prefix, key: "target_prefix")]
            }
        }
        request.maxInputLength = try fields.int("max_input_length", in: 0...Int(Int32.max))
        do {
            try model.check(request, inputs: inputs)
        } catch {
            throw .engine(error)
        }
        return GenerationFields(options: options, request: request)
    }
}
