import CLMCore
import LMCore

@_cdecl("lmcore_translate")
public func exported_lmcore_translate(
    _ model: OpaquePointer?, _ texts: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int,
    _ params: UnsafePointer<lmcore_generation_params>?, _ outResult: UnsafeMutablePointer<OpaquePointer?>?
) -> lmcore_status {
    outResult?.pointee = nil
    return exported("lmcore_translate") {
        let handle = try Handles.borrow(model, as: ModelHandle.self, name: "model")
        guard let outResult else { throw nullArgument("out_result") }
        let inputs = try CStrings.list(texts, count: count, name: "texts")
        let p = try ParamStructs.generation(params)
        let translations = try handle.model.translate(inputs, options: try GenerationParams.options(p),
                                                      request: try GenerationParams.request(p),
                                                      onTokens: GenerationParams.callback(p),
                                                      onText: GenerationParams.textCallback(p))
        outResult.pointee = Handles.retain(ResultHandle(translations))
    }
}

@_cdecl("lmcore_score")
public func exported_lmcore_score(
    _ model: OpaquePointer?, _ sources: UnsafePointer<UnsafePointer<Int32>?>?, _ sourceLengths: UnsafePointer<Int>?,
    _ targets: UnsafePointer<UnsafePointer<Int32>?>?, _ targetLengths: UnsafePointer<Int>?, _ count: Int,
    _ outResult: UnsafeMutablePointer<OpaquePointer?>?
) -> lmcore_status {
    outResult?.pointee = nil
    return exported("lmcore_score") {
        let handle = try Handles.borrow(model, as: ModelHandle.self, name: "model")
        guard let outResult else { throw nullArgument("out_result") }
        let s = try CArrays.idLists(sources, sourceLengths, count: count, name: "sources")
        let t = try CArrays.idLists(targets, targetLengths, count: count, name: "targets")
        let scores = try handle.model.score(sources: s, targets: t)
        outResult.pointee = Handles.retain(ResultHandle(scoredTargets: t, scores: scores))
    }
}

@_cdecl("lmcore_score_text")
public func exported_lmcore_score_text(
    _ model: OpaquePointer?, _ sources: UnsafePointer<UnsafePointer<CChar>?>?,
    _ targets: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int, _ outResult: UnsafeMutablePointer<OpaquePointer?>?
) -> lmcore_status {
    outResult?.pointee = nil
    return exported("lmcore_score_text") {
        let handle = try Handles.borrow(model, as: ModelHandle.self, name: "model")
        guard let outResult else { throw nullArgument("out_result") }
        let s = try CStrings.list(sources, count: count, name: "sources")
        let t = try CStrings.list(targets, count: count, name: "targets")
        let (sourceIds, targetIds) = try handle.model.tokenizePairs(sources: s, targets: t)
        let scores = try handle.model.score(sources: sourceIds, targets: targetIds)
        outResult.pointee = Handles.retain(ResultHandle(scoredTargets: targetIds, scores: scores))
    }
}

@_cdecl("lmcore_encode")
public func exported_lmcore_encode(
    _ model: OpaquePointer?, _ inputs: UnsafePointer<UnsafePointer<Int32>?>?, _ lengths: UnsafePointer<Int>?,
    _ count: Int, _ pooled: Int32, _ output: UnsafeMutablePointer<Float>?, _ capacity: Int,
    _ floats: UnsafeMutablePointer<Int>?
) -> lmcore_status {
    floats?.pointee = 0
    return exported("lmcore_encode") {
        let handle = try Handles.borrow(model, as: ModelHandle.self, name: "model")
        guard let floats else { throw nullArgument("n_floats") }
        let sources = try CArrays.idLists(inputs, lengths, count: count, name: "inputs")
        let result = try handle.model.embed(sources)
        let values = pooled != 0 ? result.sentenceVectors.flatMap { $0 } : result.tokenStates.flatMap { $0 }
        try CBuffers.copy(values, into: output, capacity: capacity, count: floats)
    }
}

@_cdecl("lmcore_encode_text")
public func exported_lmcore_encode_text(
    _ model: OpaquePointer?, _ texts: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int, _ pooled: Int32,
    _ output: UnsafeMutablePointer<Float>?, _ capacity: Int, _ floats: UnsafeMutablePointer<Int>?
) -> lmcore_status {
    floats?.pointee = 0
    return exported("lmcore_encode_text") {
        let handle = try Handles.borrow(model, as: ModelHandle.self, name: "model")
        guard let floats else { throw nullArgument("n_floats") }
        let inputs = try CStrings.list(texts, count: count, name: "texts")
        let result = try handle.model.embed(texts: inputs)
        let values = pooled != 0 ? result.sentenceVectors.flatMap { $0 } : result.tokenStates.flatMap { $0 }
        try CBuffers.copy(values, into: output, capacity: capacity, count: floats)
    }
}
