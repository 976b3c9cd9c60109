#if canImport(Glibc)
import Glibc
#endif
import CLMCore
import LMCore

@_cdecl("lmcore_model_default_params")
public func exported_lmcore_model_default_params() -> lmcore_model_params {
    lmcore_model_params(struct_size: MemoryLayout<lmcore_model_params>.size, threads: 0, load_tokenizer: 1,
                        compute_type: nil)
}

@_cdecl("lmcore_model_default_params_by_ref")
public func exported_lmcore_model_default_params_by_ref(_ params: UnsafeMutablePointer<lmcore_model_params>?) {
    params?.pointee = exported_lmcore_model_default_params()
}

@_cdecl("lmcore_model_load")
public func exported_lmcore_model_load(_ path: UnsafePointer<CChar>?, _ params: UnsafePointer<lmcore_model_params>?,
                                       _ outModel: UnsafeMutablePointer<OpaquePointer?>?) -> lmcore_status {
    outModel?.pointee = nil
    return exported("lmcore_model_load") {
        guard let outModel else { throw nullArgument("out_model") }
        guard let path else { throw nullArgument("path") }
        let p = try ParamStructs.model(params)
        guard p.threads >= 0 else {
            throw LMCoreError(.invalidArgument, "threads is \(p.threads); use 0 for all cores or a positive count")
        }
        var computeType = ComputeType.float32
        if let name = p.compute_type {
            let text = try CStrings.string(name, name: "compute_type")
            guard let type = ComputeType(rawValue: text) else {
                throw LMCoreError(.invalidArgument, "compute_type '\(text)' is not one of "
                    + ComputeType.allCases.map(\.rawValue).joined(separator: ", "))
            }
            computeType = type
        }
        let model = try Model.load(path: try CStrings.string(path, name: "path"),
                                   options: ModelOptions(threads: Int(p.threads), loadTokenizer: p.load_tokenizer != 0,
                                                         computeType: computeType))
        outModel.pointee = Handles.retain(ModelHandle(model: model))
    }
}

@_cdecl("lmcore_model_free")
public func exported_lmcore_model_free(_ model: OpaquePointer?) {
    Handles.release(model, as: ModelHandle.self)
}

@_cdecl("lmcore_model_get_info")
public func exported_lmcore_model_get_info(_ model: OpaquePointer?, _ info: UnsafeMutablePointer<lmcore_model_info>?)
    -> lmcore_status {
    exported("lmcore_model_get_info") {
        let handle = try Handles.borrow(model, as: ModelHandle.self, name: "model")
        guard let info else { throw nullArgument("info") }
        let c = handle.model.info
        // The loader bounds every field (Seq2SeqModel.checkLimits, 32-bit token ids); clamping keeps
        // a field that escaped those checks from trapping here.
        info.pointee = lmcore_model_info(
            model_type: UnsafePointer(handle.modelType), d_model: Int32(clamping: c.dModel),
            encoder_layers: Int32(clamping: c.encoder.layers), decoder_layers: Int32(clamping: c.decoder.layers),
            encoder_heads: Int32(clamping: c.encoder.heads), decoder_heads: Int32(clamping: c.decoder.heads),
            vocab_size: Int32(clamping: c.vocabSize), decoder_vocab_size: Int32(clamping: c.decoderVocabSize),
            parameters: Int64(c.parameters), pad_token_id: Int32(clamping: c.padTokenId),
            eos_token_id: Int32(clamping: c.eosTokenIds.first ?? -1),
            decoder_start_token_id: Int32(clamping: c.decoderStartTokenId),
            has_tokenizer: c.hasTokenizer ? 1 : 0, compute_type: UnsafePointer(handle.computeType))
    }
}

/// Conversions of C strings and arrays from callers.
enum CStrings {
    /// A C string as Swift text; invalid UTF-8 is an error (never silently altered).
    static func string(_ p: UnsafePointer<CChar>, name: String) throws(LMCoreError) -> String {
        guard let s = String(validatingCString: p) else {
            throw LMCoreError(.invalidArgument, "\(name) is not valid UTF-8")
        }
        return s
    }

    /// A C string as Swift text, invalid UTF-8 replaced by U+FFFD (Python's errors="replace").
    static func lossy(_ p: UnsafePointer<CChar>) -> String {
        String(decoding: UnsafeRawBufferPointer(start: p, count: strlen(p)), as: UTF8.self)
    }

    /// `count` C strings, decoded lossily.
    static func list(_ texts: UnsafePointer<UnsafePointer<CChar>?>?, count: Int, name: String) throws(LMCoreError)
        -> [String] {
        guard count != 0 else { throw LMCoreError(.invalidArgument, "n_\(name) is 0") }
        try CArrays.checkSize(count, name: "n_\(name)", limit: CArrays.maxCount)
        guard let texts else { throw nullArgument(name) }
        var out: [String] = []
        out.reserveCapacity(min(count, 4096))
        for i in 0..<count {
            guard let t = texts[i] else { throw nullArgument("\(name)[\(i)]") }
            out.append(lossy(t))
        }
        return out
    }
}
