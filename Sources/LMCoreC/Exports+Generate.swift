import CLMCore
import LMCore

@_cdecl("lmcore_generation_default_params")
public func exported_lmcore_generation_default_params() -> lmcore_generation_params {
    lmcore_generation_params(
        max_new_tokens: -1, min_new_tokens: -1, max_length: -1, min_length: -1, beam_size: -1,
        num_return_sequences: -1, length_penalty: .nan, early_stopping: -1, repetition_penalty: .nan,
        no_repeat_ngram_size: -1, encoder_no_repeat_ngram_size: -1, do_sample: -1, temperature: .nan,
        top_k: -1, top_p: .nan, seed: -1, return_scores: 0, callback: nil, callback_user_data: nil)
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
        let p = params?.pointee ?? exported_lmcore_generation_default_params()
        let options = try GenerationParams.options(p)
        let hypotheses = try handle.model.generate(sources, options: options,
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
        return o
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
