import CLMCore
import LMCore

@_cdecl("lmcore_generation_default_params")
public func exported_lmcore_generation_default_params() -> lmcore_generation_params {
    lmcore_generation_params(
        struct_size: MemoryLayout<lmcore_generation_params>.size, max_new_tokens: -1, min_new_tokens: -1, max_length: -1, min_length: -1, beam_size: -1,
        num_return_sequences: -1, length_penalty: .nan, early_stopping: -1, repetition_penalty: .nan,
        no_repeat_ngram_size: -1, encoder_no_repeat_ngram_size: -1, do_sample: -1, temperature: .nan,
        top_k: -1, top_p: .nan, seed: -1, return_scores: 0, callback: nil, callback_user_data: nil,
        target_lang: nil, target_prefixes: nil, target_prefix_lengths: nil, n_target_prefixes: 0,
        suppress_tokens: nil, n_suppress_tokens: 0, begin_suppress_tokens: nil, n_begin_suppress_tokens: 0,
        bad_words_ids: nil, bad_words_lengths: nil, n_bad_words: 0, forced_bos_token_id: -1,
        forced_eos_token_id: -1, max_input_length: -1, max_batch_size: -1, batch_type: 0, text_callback: nil,
        text_callback_user_data: nil)
}

@_cdecl("lmcore_generation_default_params_by_ref")
public func exported_lmcore_generation_default_params_by_ref(
    _ params: UnsafeMutablePointer<lmcore_generation_params>?) {
    params?.pointee = exported_lmcore_generation_default_params()
}

@_cdecl("lmcore_generate")
public func exported_lmcore_generate(
    _ model: OpaquePointer?, _ inputs: UnsafePointer<UnsafePointer<Int32>?>?, _ lengths: UnsafePointer<Int>?,
    _ count: Int, _ params: UnsafePointer<lmcore_generation_params>?,
    _ outResult: UnsafeMutablePointer<OpaquePointer?>?
) -> lmcore_status {
    outResult?.pointee = nil
    return exported("lmcore_generate") {
        let handle = try Handles.borrow(model, as: ModelHandle.self, name: "model")
        guard let outResult else { throw nullArgument("out_result") }
        let sources = try CArrays.idLists(inputs, lengths, count: count, name: "inputs")
        let p = try ParamStructs.generation(params)
        let options = try GenerationParams.options(p)
        let hypotheses = try handle.model.generate(sources, options: options, request: try GenerationParams.request(p),
                                                   onTokens: GenerationParams.callback(p))
        outResult.pointee = Handles.retain(ResultHandle(hypotheses))
    }
}

/// Reading caller arrays.
enum CArrays {
    /// The most entries lmcore reads from one caller array (inputs or texts of a call, ids to
    /// detokenize). A larger size_t is almost always a negative number converted by the caller;
    /// reading it would fault or exhaust memory, so it is an invalid argument instead.
    static let maxCount = 1 << 28

    /// Throws unless `0 <= n <= limit` (`n` is a size_t read as Int: negative means >= 2^63).
    static func checkSize(_ n: Int, name: String, limit: Int) throws(LMCoreError) {
        guard n >= 0, n <= limit else {
            throw LMCoreError(.invalidArgument, "\(name) is \(UInt(bitPattern: n)), larger than lmcore's limit of "
                + "\(limit) (a negative number converted to size_t?)")
        }
    }

    /// `count` id lists: inputs[i] points to lengths[i] ids.
    static func idLists(_ inputs: UnsafePointer<UnsafePointer<Int32>?>?, _ lengths: UnsafePointer<Int>?,
                        count: Int, name: String) throws(LMCoreError) -> [[Int32]] {
        guard count != 0 else { throw LMCoreError(.invalidArgument, "n_\(name) is 0") }
        try checkSize(count, name: "n_\(name)", limit: maxCount)
        guard let inputs else { throw nullArgument(name) }
        guard let lengths else { throw nullArgument("lengths") }
        var lists: [[Int32]] = []
        lists.reserveCapacity(min(count, 4096))
        for i in 0..<count {
            let n = lengths[i]
            try checkSize(n, name: "lengths[\(i)]", limit: 1 << 24)
            if n == 0 {
                lists.append([])
                continue
            }
            guard let ids = inputs[i] else { throw nullArgument("\(name)[\(i)]") }
            lists.append(Array(UnsafeBufferPointer(start: ids, count: n)))
        }
        return lists
    }
}

extension CArrays {
    /// `count` ids at `ids`, or nil when count is 0 (the pointer may then be NULL).
    static func optionalIds(_ ids: UnsafePointer<Int32>?, count: Int, name: String) throws(LMCoreError) -> [Int32]? {
        guard count != 0 else { return nil }
        try checkSize(count, name: "n_\(name)", limit: 1 << 24)
        guard let ids else { throw nullArgument(name) }
        return Array(UnsafeBufferPointer(start: ids, count: count))
    }

    /// `count` id lists, or nil when count is 0.
    static func optionalIdLists(_ lists: UnsafePointer<UnsafePointer<Int32>?>?, _ lengths: UnsafePointer<Int>?,
                                count: Int, name: String) throws(LMCoreError) -> [[Int32]]? {
        guard count != 0 else { return nil }
        return try idLists(lists, lengths, count: count, name: name)
    }
}

/// lmcore_generation_params -> GenerationOptions.
enum GenerationParams {
    static func options(_ p: lmcore_generation_params) throws(LMCoreError) -> GenerationOptions {
        var o = GenerationOptions()
        func int(_ v: Int32, _ name: String, minimum: Int32 = 0) throws(LMCoreError) -> Int? {
            if v == -1 { return nil }
            guard v >= minimum else {
                throw LMCoreError(.invalidArgument, "\(name) is \(v); use -1 for the model default or a value "
                    + ">= \(minimum)")
            }
            return Int(v)
        }
        func float(_ v: Float, _ name: String) throws(LMCoreError) -> Double? {
            if v.isNaN { return nil }
            guard v.isFinite else { throw LMCoreError(.invalidArgument, "\(name) is not finite") }
            return Double(v)
        }
        o.maxNewTokens = try int(p.max_new_tokens, "max_new_tokens", minimum: 1)
        o.minNewTokens = try int(p.min_new_tokens, "min_new_tokens")
        o.maxLength = try int(p.max_length, "max_length", minimum: 1)
        o.minLength = try int(p.min_length, "min_length")
        o.numBeams = try int(p.beam_size, "beam_size", minimum: 1)
        o.numReturnSequences = try int(p.num_return_sequences, "num_return_sequences", minimum: 1)
        o.lengthPenalty = try float(p.length_penalty, "length_penalty")
        switch p.early_stopping {
        case -1: break
        case 0: o.earlyStopping = .heuristic
        case 1: o.earlyStopping = .whenFull
        case 2: o.earlyStopping = .never
        default:
            throw LMCoreError(.invalidArgument, "early_stopping is \(p.early_stopping); use -1, 0, 1 or 2")
        }
        o.repetitionPenalty = try float(p.repetition_penalty, "repetition_penalty")
        o.noRepeatNgramSize = try int(p.no_repeat_ngram_size, "no_repeat_ngram_size")
        o.encoderNoRepeatNgramSize = try int(p.encoder_no_repeat_ngram_size, "encoder_no_repeat_ngram_size")
        switch p.do_sample {
        case -1: break
        case 0: o.doSample = false
        case 1: o.doSample = true
        default: throw LMCoreError(.invalidArgument, "do_sample is \(p.do_sample); use -1, 0 or 1")
        }
        o.temperature = try float(p.temperature, "temperature")
        o.topK = try int(p.top_k, "top_k")
        o.topP = try float(p.top_p, "top_p")
        if p.seed != -1 {
            guard p.seed >= 0 else { throw LMCoreError(.invalidArgument, "seed is \(p.seed); use -1 or >= 0") }
            o.seed = UInt64(p.seed)
        }
        if p.return_scores != 0 { o.outputScores = true }
        o.suppressTokens = try CArrays.optionalIds(p.suppress_tokens, count: p.n_suppress_tokens, name: "suppress_tokens")
        o.beginSuppressTokens = try CArrays.optionalIds(p.begin_suppress_tokens, count: p.n_begin_suppress_tokens,
                                                        name: "begin_suppress_tokens")
        o.badWordsIds = try CArrays.optionalIdLists(p.bad_words_ids, p.bad_words_lengths, count: p.n_bad_words,
                                                    name: "bad_words_ids")
        if p.forced_bos_token_id != -1 {
            guard p.forced_bos_token_id >= 0 else { throw LMCoreError(.invalidArgument, "forced_bos_token_id is \(p.forced_bos_token_id); use -1 or an id") }
            o.forcedBosTokenId = p.forced_bos_token_id
        }
        if p.forced_eos_token_id != -1 {
            guard p.forced_eos_token_id >= 0 else { throw LMCoreError(.invalidArgument, "forced_eos_token_id is \(p.forced_eos_token_id); use -1 or an id") }
            o.forcedEosTokenId = [p.forced_eos_token_id]
        }
        return o
    }

    /// The request fields (ABI 3): target language and prefixes, truncation, batching.
    static func request(_ p: lmcore_generation_params) throws(LMCoreError) -> RequestOptions {
        var r = RequestOptions()
        if let lang = p.target_lang { r.targetLanguage = try CStrings.string(lang, name: "target_lang") }
        r.targetPrefixes = try CArrays.optionalIdLists(p.target_prefixes, p.target_prefix_lengths,
                                                       count: p.n_target_prefixes, name: "target_prefixes")
        switch p.max_input_length {
        case -1: break
        case 0...: r.maxInputLength = Int(p.max_input_length)
        default: throw LMCoreError(.invalidArgument, "max_input_length is \(p.max_input_length); use -1, 0 or a length")
        }
        switch p.max_batch_size {
        case -1: break
        case 1...: r.maxBatchSize = Int(p.max_batch_size)
        default: throw LMCoreError(.invalidArgument, "max_batch_size is \(p.max_batch_size); use -1 or at least 1")
        }
        switch p.batch_type {
        case 0: r.batchType = .examples
        case 1: r.batchType = .tokens
        default: throw LMCoreError(.invalidArgument, "batch_type is \(p.batch_type); use 0 (examples) or 1 (tokens)")
        }
        return r
    }

    /// The C text callback as a translate callback.
    static func textCallback(_ p: lmcore_generation_params) -> TextCallback? {
        guard let callback = p.text_callback else { return nil }
        let userData = p.text_callback_user_data
        return { event in
            var text = event.text
            return text.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    callback(event.input, event.sequence, chars.baseAddress, chars.count, userData) != 0
                }
            }
        }
    }

    /// The C streaming callback as a search callback.
    static func callback(_ p: lmcore_generation_params) -> TokenCallback? {
        guard let callback = p.callback else { return nil }
        let userData = p.callback_user_data
        return { event in
            event.tokens.withUnsafeBufferPointer { tokens in
                callback(event.input, event.sequence, tokens.baseAddress, tokens.count, userData) != 0
            }
        }
    }
}
