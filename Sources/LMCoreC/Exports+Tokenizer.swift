#if canImport(Glibc)
import Glibc
#endif
import CLMCore
import LMCore

@_cdecl("lmcore_tokenizer_load")
public func exported_lmcore_tokenizer_load(_ path: UnsafePointer<CChar>?,
                                           _ out: UnsafeMutablePointer<OpaquePointer?>?) -> lmcore_status {
    out?.pointee = nil
    return exported("lmcore_tokenizer_load") {
        guard let out else { throw nullArgument("out_tokenizer") }
        guard let path else { throw nullArgument("path") }
        let tokenizer = try Tokenizers.load(path: try CStrings.string(path, name: "path"))
        out.pointee = Handles.retain(TokenizerHandle(tokenizer, borrowed: false))
    }
}

@_cdecl("lmcore_tokenizer_free")
public func exported_lmcore_tokenizer_free(_ tokenizer: OpaquePointer?) {
    guard let handle = try? Handles.borrow(tokenizer, as: TokenizerHandle.self, name: "tokenizer"),
          !handle.borrowed else { return }
    Handles.release(tokenizer, as: TokenizerHandle.self)
}

@_cdecl("lmcore_model_tokenizer")
public func exported_lmcore_model_tokenizer(_ model: OpaquePointer?) -> OpaquePointer? {
    guard let handle = try? Handles.borrow(model, as: ModelHandle.self, name: "model"),
          let tokenizer = handle.tokenizer else { return nil }
    return OpaquePointer(Unmanaged.passUnretained(tokenizer).toOpaque())
}

@_cdecl("lmcore_tokenize")
public func exported_lmcore_tokenize(_ tokenizer: OpaquePointer?, _ text: UnsafePointer<CChar>?, _ addSpecial: Int32,
                                     _ ids: UnsafeMutablePointer<Int32>?, _ capacity: Int,
                                     _ count: UnsafeMutablePointer<Int>?) -> lmcore_status {
    count?.pointee = 0
    return exported("lmcore_tokenize") {
        let handle = try Handles.borrow(tokenizer, as: TokenizerHandle.self, name: "tokenizer")
        guard let text else { throw nullArgument("text") }
        guard let count else { throw nullArgument("n_ids") }
        let encoding = try lmcoreCall { try handle.tokenizer.encode(CStrings.lossy(text), addSpecialTokens: addSpecial != 0) }
        try CBuffers.copy(encoding.ids, into: ids, capacity: capacity, count: count)
    }
}

@_cdecl("lmcore_detokenize")
public func exported_lmcore_detokenize(_ tokenizer: OpaquePointer?, _ ids: UnsafePointer<Int32>?, _ n: Int,
                                       _ skipSpecial: Int32, _ text: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                       _ length: UnsafeMutablePointer<Int>?) -> lmcore_status {
    length?.pointee = 0
    return exported("lmcore_detokenize") {
        let handle = try Handles.borrow(tokenizer, as: TokenizerHandle.self, name: "tokenizer")
        guard let length else { throw nullArgument("length") }
        guard n == 0 || ids != nil else { throw nullArgument("ids") }
        let list = n == 0 ? [] : Array(UnsafeBufferPointer(start: ids, count: n))
        let decoded = try lmcoreCall { try handle.tokenizer.decode(list, skipSpecialTokens: skipSpecial != 0) }
        try CBuffers.copy(string: decoded, into: text, capacity: capacity, length: length)
    }
}

@_cdecl("lmcore_tokenizer_vocab_size")
public func exported_lmcore_tokenizer_vocab_size(_ tokenizer: OpaquePointer?) -> Int {
    guard let handle = try? Handles.borrow(tokenizer, as: TokenizerHandle.self, name: "tokenizer") else { return 0 }
    return handle.tokenizer.vocabularySize
}

@_cdecl("lmcore_tokenizer_token_to_id")
public func exported_lmcore_tokenizer_token_to_id(_ tokenizer: OpaquePointer?, _ token: UnsafePointer<CChar>?,
                                                  _ id: UnsafeMutablePointer<Int32>?) -> lmcore_status {
    exported("lmcore_tokenizer_token_to_id") {
        let handle = try Handles.borrow(tokenizer, as: TokenizerHandle.self, name: "tokenizer")
        guard let token else { throw nullArgument("token") }
        guard let id else { throw nullArgument("id") }
        let string = CStrings.lossy(token)
        guard let found = handle.tokenizer.tokenToId(string) else {
            throw LMCoreError(.invalidArgument, "token '\(string)' is not in the vocabulary")
        }
        id.pointee = found
    }
}

@_cdecl("lmcore_tokenizer_id_to_token")
public func exported_lmcore_tokenizer_id_to_token(_ tokenizer: OpaquePointer?, _ id: Int32,
                                                  _ token: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                                  _ length: UnsafeMutablePointer<Int>?) -> lmcore_status {
    length?.pointee = 0
    return exported("lmcore_tokenizer_id_to_token") {
        let handle = try Handles.borrow(tokenizer, as: TokenizerHandle.self, name: "tokenizer")
        guard let length else { throw nullArgument("length") }
        guard let string = handle.tokenizer.idToToken(id) else {
            throw LMCoreError(.invalidArgument, "id \(id) is not in the vocabulary")
        }
        try CBuffers.copy(string: string, into: token, capacity: capacity, length: length)
    }
}

/// Copies into caller buffers with the two-call size convention.
enum CBuffers {
    /// `values` into `buffer` (capacity elements). NULL buffer: size query, OK. Too small: the
    /// needed count and bufferTooSmall.
    static func copy<T>(_ values: [T], into buffer: UnsafeMutablePointer<T>?, capacity: Int,
                        count: UnsafeMutablePointer<Int>) throws(LMCoreError) {
        count.pointee = values.count
        guard let buffer else { return }
        guard capacity >= values.count else {
            throw LMCoreError(.bufferTooSmall, "the buffer holds \(capacity) elements, \(values.count) are needed")
        }
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { buffer.update(from: base, count: values.count) }
        }
    }

    /// A NUL-terminated copy of `string`; `capacity` counts the NUL, `length` excludes it.
    static func copy(string: String, into buffer: UnsafeMutablePointer<CChar>?, capacity: Int,
                     length: UnsafeMutablePointer<Int>) throws(LMCoreError) {
        let bytes = Array(string.utf8)
        length.pointee = bytes.count
        guard let buffer else { return }
        guard capacity >= bytes.count + 1 else {
            throw LMCoreError(.bufferTooSmall, "the buffer holds \(capacity) bytes, \(bytes.count + 1) are needed "
                + "(with the terminating NUL)")
        }
        bytes.withUnsafeBufferPointer { src in
            if let base = src.baseAddress {
                UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: bytes.count)
            }
        }
        buffer[bytes.count] = 0
    }
}

/// Wraps lower-level errors as LMCoreError (for code outside LMCore's own API).
func lmcoreCall<T>(_ body: () throws -> T) throws(LMCoreError) -> T {
    do { return try body() } catch { throw LMCoreError.wrap(error) }
}
