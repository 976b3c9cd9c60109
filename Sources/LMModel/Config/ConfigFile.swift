import LMInput

/// Typed, checked access to the fields of a config.json or generation_config.json.
///
/// Every accessor names the file and the field in its error, and distinguishes "absent or
/// null" (the default applies) from "present with the wrong type" (an error: a config that
/// says `"d_model": "512"` is broken, not defaulted).
package struct ConfigFile: Sendable {
    package let path: String
    /// The whole document, for the other readers of the same file (generation defaults, tokenizer choice).
    package let value: JSONValue
    let fields: [String: JSONValue]

    /// Reads `path` as transformers does (Python's `json.load`: a duplicated field takes its last value);
    /// a missing file is an io error, malformed JSON a format error.
    package static func read(_ path: String) throws -> ConfigFile {
        try ConfigFile(path: path, value: JSONReader.parse(contentsOf: path, options: .python))
    }

    /// Parses JSON text; `path` names it in errors.
    package static func parse(_ bytes: [UInt8], path: String) throws -> ConfigFile {
        let value: JSONValue
        do {
            value = try JSONReader.parse(bytes, options: .python)
        } catch {
            throw InputError.format("\(path): \(error)")
        }
        return try ConfigFile(path: path, value: value)
    }

    /// A config already parsed (LMCore reads config.json once per load and hands it to each reader).
    package init(path: String, value: JSONValue) throws {
        guard let fields = value.memberDictionary else {
            throw InputError.format("\(path): expected a JSON object at the top level, found \(value.kind)")
        }
        self.path = path
        self.value = value
        self.fields = fields
    }

    /// The field names present.
    package var keys: [String] { fields.keys.sorted() }

    package func has(_ key: String) -> Bool {
        if let v = fields[key], !v.isNull { return true }
        return false
    }

    /// An integer field; absent/null gives nil. Non-integral numbers are errors.
    package func int(_ key: String) throws -> Int? {
        guard let v = fields[key], !v.isNull else { return nil }
        guard let i = v.integer else {
            throw InputError.format("\(path): field '\(key)' must be an integer, found \(v.kind)")
        }
        return i
    }

    /// An integer field that must be present and at least `minimum`.
    package func requiredInt(_ key: String, minimum: Int = 1) throws -> Int {
        guard let v = try int(key) else {
            throw InputError.format("\(path): required field '\(key)' is missing")
        }
        guard v >= minimum else {
            throw InputError.format("\(path): field '\(key)' is \(v), must be at least \(minimum)")
        }
        return v
    }

    /// An integer field with a default when absent, checked against `minimum`.
    package func int(_ key: String, default value: Int, minimum: Int = 0) throws -> Int {
        let v = try int(key) ?? value
        guard v >= minimum else {
            throw InputError.format("\(path): field '\(key)' is \(v), must be at least \(minimum)")
        }
        return v
    }

    package func double(_ key: String) throws -> Double? {
        guard let v = fields[key], !v.isNull else { return nil }
        guard let d = v.double, d.isFinite else {
            throw InputError.format("\(path): field '\(key)' must be a number, found \(v.kind)")
        }
        return d
    }

    package func bool(_ key: String) throws -> Bool? {
        guard let v = fields[key], !v.isNull else { return nil }
        guard case .bool(let b) = v else {
            throw InputError.format("\(path): field '\(key)' must be true or false, found \(v.kind)")
        }
        return b
    }

    package func bool(_ key: String, default value: Bool) throws -> Bool {
        try bool(key) ?? value
    }

    package func string(_ key: String) throws -> String? {
        guard let v = fields[key], !v.isNull else { return nil }
        guard case .string(let s) = v else {
            throw InputError.format("\(path): field '\(key)' must be a string, found \(v.kind)")
        }
        return s
    }

    /// An id or a list of ids (as `eos_token_id` may be); absent/null gives [].
    package func intList(_ key: String) throws -> [Int] {
        guard let v = fields[key], !v.isNull else { return [] }
        switch v {
        case .number:
            return [try int(key) ?? 0]
        case .array(let items):
            return try items.map { item in
                guard let i = item.integer else {
                    throw InputError.format("\(path): field '\(key)' must hold integers, found \(item.kind)")
                }
                return i
            }
        default:
            throw InputError.format("\(path): field '\(key)' must be an integer or a list of integers, "
                + "found \(v.kind)")
        }
    }
}
