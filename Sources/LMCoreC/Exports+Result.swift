import CLMCore
import LMCore

@_cdecl("lmcore_result_count")
public func exported_lmcore_result_count(_ result: OpaquePointer?) -> Int {
    guard let handle = try? Handles.borrow(result, as: ResultHandle.self, name: "result") else { return 0 }
    return handle.inputs.count
}

@_cdecl("lmcore_result_hypothesis_count")
public func exported_lmcore_result_hypothesis_count(_ result: OpaquePointer?, _ i: Int) -> Int {
    guard let handle = try? Handles.borrow(result, as: ResultHandle.self, name: "result"),
          i >= 0, i < handle.inputs.count else { return 0 }
    return handle.inputs[i].count
}

@_cdecl("lmcore_result_ids")
public func exported_lmcore_result_ids(_ result: OpaquePointer?, _ i: Int, _ j: Int,
                                       _ ids: UnsafeMutablePointer<UnsafePointer<Int32>?>?,
                                       _ count: UnsafeMutablePointer<Int>?) -> lmcore_status {
    ids?.pointee = nil
    count?.pointee = 0
    return exported("lmcore_result_ids") {
        let entry = try Handles.borrow(result, as: ResultHandle.self, name: "result").entry(i, j)
        guard let ids else { throw nullArgument("ids") }
        guard let count else { throw nullArgument("n_ids") }
        ids.pointee = UnsafePointer(entry.ids.baseAddress)
        count.pointee = entry.ids.count
    }
}

@_cdecl("lmcore_result_score")
public func exported_lmcore_result_score(_ result: OpaquePointer?, _ i: Int, _ j: Int,
                                         _ score: UnsafeMutablePointer<Float>?) -> lmcore_status {
    exported("lmcore_result_score") {
        let entry = try Handles.borrow(result, as: ResultHandle.self, name: "result").entry(i, j)
        guard let score else { throw nullArgument("score") }
        score.pointee = entry.score
    }
}

@_cdecl("lmcore_result_free")
public func exported_lmcore_result_free(_ result: OpaquePointer?) {
    Handles.release(result, as: ResultHandle.self)
}

@_cdecl("lmcore_result_text")
public func exported_lmcore_result_text(_ result: OpaquePointer?, _ i: Int, _ j: Int) -> UnsafePointer<CChar>? {
    guard let handle = try? Handles.borrow(result, as: ResultHandle.self, name: "result"),
          let entry = try? handle.entry(i, j) else { return nil }
    return entry.text.map { UnsafePointer($0) }
}

@_cdecl("lmcore_result_token_scores")
public func exported_lmcore_result_token_scores(_ result: OpaquePointer?, _ i: Int, _ j: Int,
                                                _ scores: UnsafeMutablePointer<UnsafePointer<Float>?>?,
                                                _ count: UnsafeMutablePointer<Int>?) -> lmcore_status {
    scores?.pointee = nil
    count?.pointee = 0
    return exported("lmcore_result_token_scores") {
        let entry = try Handles.borrow(result, as: ResultHandle.self, name: "result").entry(i, j)
        guard let scores else { throw nullArgument("scores") }
        guard let count else { throw nullArgument("n_scores") }
        if let t = entry.tokenScores {
            scores.pointee = UnsafePointer(t.baseAddress)
            count.pointee = t.count
        }
    }
}
