/// A parsed JSON value: the one document model of every JSON file lmcore reads (safetensors headers
/// and shard indexes, config.json, generation_config.json, tokenizer.json, tokenizer_config.json,
/// Marian's vocab.json...).
///
/// Objects keep their members in file order, duplicates included (whether a duplicate is an error is
/// the reader's `DuplicateKeys` policy); member names compare byte for byte, as Python's `dict` and
/// Rust's `HashMap<String, _>` do, not by Swift's canonical equivalence — a vocab.json holding both
/// "é" and "e\u{301}" has two entries. Integers are read exactly (`JSONNumber`).
package enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// The last member named `key` of an object (Python's and serde's map semantics), else nil.
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key.utf8.elementsEqual(key.utf8) }?.value
    }

    /// The members of an object (nil for other values).
    package var members: [(key: String, value: JSONValue)]? {
        if case .object(let m) = self { return m }
        return nil
    }

    package var items: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    package var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    package var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    package var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The number as a Double (±infinity when it overflows; callers check `isFinite`).
    package var double: Double? {
        if case .number(let n) = self { return n.double }
        return nil
    }

    /// An integral number whose magnitude is below 9e15 (so the Double it came from was exact), written
    /// with or without fraction or exponent: `7`, `7.0` and `7e0` are all 7, as Python's `int(7.0)`
    /// and Foundation's decoders read them.
    package var integer: Int? {
        guard case .number(let n) = self else { return nil }
        if let i = n.exactInteger { return abs(Double(i)) < 9.0e15 ? Int(i) : nil }
        guard n.double.rounded() == n.double, abs(n.double) < 9.0e15 else { return nil }
        return Int(n.double)
    }

    /// An object's members keyed by name, a repeated name taking its last value (Python's dict); nil
    /// for other values. Keys are Swift Strings: use `subscript` where canonically equivalent names
    /// must stay apart.
    package var memberDictionary: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        var out: [String: JSONValue] = [:]
        out.reserveCapacity(members.count)
        for (key, value) in members { out[key] = value }
        return out
    }

    /// A non-negative integer written without fraction or exponent (as serde reads `usize`;
    /// safetensors offsets).
    package var nonNegativeInt: Int? {
        guard case .number(let n) = self, let i = n.exactInteger, i >= 0 else { return nil }
        return Int(exactly: i)
    }

    /// A short name of the value's kind, for error messages ("expected an integer, found a string").
    package var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
