import LMInput

/// Typed reads of one JSON object's fields (generation_config.json, config.json), with errors naming
/// the file and field. Members are keyed as Python's dict keeps them: a duplicated name takes its last value.
struct JSONFields {
    let object: [String: JSONValue]
    let file: String

    init(object: [String: JSONValue], file: String) {
        self.object = object
        self.file = file
    }

    /// The field's value, `nil` when absent or `null` (HF treats both as unset).
    func value(_ key: String) -> JSONValue? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    func fail(_ key: String, _ expected: String, _ got: JSONValue) -> GenerationError {
        .invalidArgument("\(file): field \"\(key)\" must be \(expected), got \(got.kind)")
    }

    func int(_ key: String) throws -> Int? {
        guard let v = value(key) else { return nil }
        guard let i = JSONFields.integer(v) else { throw fail(key, "an integer", v) }
        return i
    }

    func tokenId(_ key: String) throws -> Int32? {
        guard let v = value(key) else { return nil }
        guard let i = JSONFields.token(v) else { throw fail(key, "a token id (32-bit integer)", v) }
        return i
    }

    func double(_ key: String) throws -> Double? {
        guard let v = value(key) else { return nil }
        if let d = v.double, d.isFinite { return d }
        throw fail(key, "a finite number", v)
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = value(key) else { return nil }
        if case .bool(let b) = v { return b }
        throw fail(key, "true or false", v)
    }

    /// An int or a list of ints (`eos_token_id`, `forced_eos_token_id`).
    func tokenIds(_ key: String) throws -> [Int32]? {
        guard let v = value(key) else { return nil }
        if let i = JSONFields.token(v) { return [i] }
        if case .array(let items) = v {
            var out: [Int32] = []
            for item in items {
                guard let i = JSONFields.token(item) else { throw fail(key, "a token id or a list of token ids", v) }
                out.append(i)
            }
            return out
        }
        throw fail(key, "a token id or a list of token ids", v)
    }

    /// A list of token ids (`suppress_tokens`).
    func tokenList(_ key: String) throws -> [Int32]? {
        guard let v = value(key) else { return nil }
        guard case .array = v, let ids = try tokenIds(key) else { throw fail(key, "a list of token ids", v) }
        return ids
    }

    /// A list of lists of token ids (`bad_words_ids`).
    func tokenLists(_ key: String) throws -> [[Int32]]? {
        guard let v = value(key) else { return nil }
        guard case .array(let outer) = v else { throw fail(key, "a list of lists of token ids", v) }
        var out: [[Int32]] = []
        for inner in outer {
            guard case .array(let items) = inner else { throw fail(key, "a list of lists of token ids", v) }
            var seq: [Int32] = []
            for item in items {
                guard let i = JSONFields.token(item) else { throw fail(key, "a list of lists of token ids", v) }
                seq.append(i)
            }
            out.append(seq)
        }
        return out
    }

    /// An integral number within ±9e15 (bounds included, as this reader always had them).
    static func integer(_ v: JSONValue) -> Int? {
        guard let d = v.double, d.isFinite, d == d.rounded(), d >= -9.0e15, d <= 9.0e15 else { return nil }
        return Int(d)
    }

    static func token(_ v: JSONValue) -> Int32? {
        guard let i = integer(v), i >= Int(Int32.min), i <= Int(Int32.max) else { return nil }
        return Int32(i)
    }
}
