/// `Decodable` types read from a `JSONValue`, so types written for Foundation's JSONDecoder (the
/// tokenizer.json components) run on lmcore's own reader. Differences from Foundation's decoder, each
/// toward the reference readers: a duplicate member resolves to the last (Foundation keeps the first;
/// Python and serde keep the last), and the document was parsed strictly (no trailing commas).
///
/// Integers may be written `7`, `7.0` or `7e0` (integral and exact, as Foundation accepts); a number
/// outside the target type's range is a type mismatch naming the field.
package enum JSONValueDecoder {
    /// - Parameter userInfo: what every decoder in the tree reports as `userInfo` (fast paths find
    ///   bulk data lifted out of the document there: `JSONReader.parse(_:options:capturing:)`).
    package static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue,
                                             userInfo: [CodingUserInfoKey: Any] = [:]) throws -> T {
        try T(from: ValueDecoder(value: value, codingPath: [], userInfo: userInfo))
    }
}

/// A decoder that can hand over the value it reads, for fast paths that walk a large part of the tree
/// directly (tokenizer.json's vocab and merges) instead of through per-entry Codable calls.
package protocol JSONBackedDecoder: Decoder {
    var jsonValue: JSONValue { get }
}

private struct ValueDecoder: JSONBackedDecoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]
    var jsonValue: JSONValue { value }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: codingPath,
                debugDescription: "expected an object, found \(value.kind)"))
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(members: members, codingPath: codingPath, userInfo: userInfo))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath,
                debugDescription: "expected a list, found \(value.kind)"))
        }
        return UnkeyedContainer(items: items, codingPath: codingPath, userInfo: userInfo)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValue(value: value, codingPath: codingPath, userInfo: userInfo)
    }
}

/// Scalar conversions shared by the three container kinds.
private enum Scalar {
    static func mismatch(_ type: Any.Type, _ value: JSONValue, _ path: [any CodingKey], _ expected: String) -> DecodingError {
        .typeMismatch(type, .init(codingPath: path, debugDescription: "expected \(expected), found \(value.kind)"))
    }

    static func bool(_ value: JSONValue, _ path: [any CodingKey]) throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(Bool.self, value, path, "true or false") }
        return b
    }

    static func string(_ value: JSONValue, _ path: [any CodingKey]) throws -> String {
        guard case .string(let s) = value else { throw mismatch(String.self, value, path, "a string") }
        return s
    }

    static func double(_ value: JSONValue, _ path: [any CodingKey]) throws -> Double {
        guard let d = value.double else { throw mismatch(Double.self, value, path, "a number") }
        guard d.isFinite else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "number out of range"))
        }
        return d
    }

    static func float(_ value: JSONValue, _ path: [any CodingKey]) throws -> Float {
        let f = Float(try double(value, path))
        guard f.isFinite else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "number out of Float's range"))
        }
        return f
    }

    static func integer<T: FixedWidthInteger>(_ value: JSONValue, _ path: [any CodingKey]) throws -> T {
        guard case .number(let n) = value else { throw mismatch(T.self, value, path, "an integer") }
        let outOfRange = DecodingError.dataCorrupted(.init(codingPath: path,
            debugDescription: "number \(n.text) is not an integer that fits in \(T.self)"))
        // Written as an integer: exact, whatever its size. Otherwise (7.0, 7e0) through its Double.
        if let exact = n.exactInteger {
            guard let t = T(exactly: exact) else { throw outOfRange }
            return t
        }
        guard let i = value.integer, let t = T(exactly: i) else { throw outOfRange }
        return t
    }

    static func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue, _ path: [any CodingKey],
                                     _ userInfo: [CodingUserInfoKey: Any]) throws -> T {
        try T(from: ValueDecoder(value: value, codingPath: path, userInfo: userInfo))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [(key: String, value: JSONValue)]
    let codingPath: [any CodingKey]
    /// Member name -> index of its last occurrence.
    private let index: [String: Int]

    let userInfo: [CodingUserInfoKey: Any]

    init(members: [(key: String, value: JSONValue)], codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any]) {
        self.members = members
        self.codingPath = codingPath
        self.userInfo = userInfo
        var index: [String: Int] = [:]
        index.reserveCapacity(members.count)
        for (i, m) in members.enumerated() { index[m.key] = i }
        self.index = index
    }

    var allKeys: [Key] {
        members.indices.compactMap { i in index[members[i].key] == i ? Key(stringValue: members[i].key) : nil }
    }

    func contains(_ key: Key) -> Bool { index[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSONValue {
        guard let i = index[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no member \"\(key.stringValue)\""))
        }
        return members[i].value
    }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key).isNull }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Scalar.bool(value(key), path(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Scalar.string(value(key), path(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Scalar.double(value(key), path(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try Scalar.float(value(key), path(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try Scalar.integer(value(key), path(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try Scalar.integer(value(key), path(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try Scalar.decode(T.self, value(key), path(key), userInfo) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: value(key), codingPath: path(key), userInfo: userInfo).container(keyedBy: NestedKey.self)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: value(key), codingPath: path(key), userInfo: userInfo).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ValueDecoder(value: .object(members), codingPath: codingPath, userInfo: userInfo)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: try value(key), codingPath: path(key), userInfo: userInfo)
    }
}

private struct ArrayIndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ i: Int) { intValue = i }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    let userInfo: [CodingUserInfoKey: Any]

    init(items: [JSONValue], codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any]) {
        self.items = items
        self.codingPath = codingPath
        self.userInfo = userInfo
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next(_ type: Any.Type) throws -> (JSONValue, [any CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [ArrayIndexKey(currentIndex)],
                debugDescription: "the list has only \(items.count) items"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], codingPath + [ArrayIndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if items[currentIndex].isNull { currentIndex += 1; return true }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { let (v, p) = try next(type); return try Scalar.bool(v, p) }
    mutating func decode(_ type: String.Type) throws -> String { let (v, p) = try next(type); return try Scalar.string(v, p) }
    mutating func decode(_ type: Double.Type) throws -> Double { let (v, p) = try next(type); return try Scalar.double(v, p) }
    mutating func decode(_ type: Float.Type) throws -> Float { let (v, p) = try next(type); return try Scalar.float(v, p) }
    mutating func decode(_ type: Int.Type) throws -> Int { let (v, p) = try next(type); return try Scalar.integer(v, p) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { let (v, p) = try next(type); return try Scalar.integer(v, p) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { let (v, p) = try next(type); return try Scalar.integer(v, p) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { let (v, p) = try next(type); return try Scalar.integer(v, p) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { let (v, p) = try next(type); return try Scalar.integer(v, p) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { let (v, p) = try next(type); return try Scalar.integer(v, p) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { let (v, p) = try next(type); return try Scalar.integer(v, p) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { let (v, p) = try next(type); return try Scalar.integer(v, p) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { let (v, p) = try next(type); return try Scalar.integer(v, p) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { let (v, p) = try next(type); return try Scalar.integer(v, p) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { let (v, p) = try next(type); return try Scalar.decode(T.self, v, p, userInfo) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (v, p) = try next([String: Any].self)
        return try ValueDecoder(value: v, codingPath: p, userInfo: userInfo).container(keyedBy: NestedKey.self)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (v, p) = try next([Any].self)
        return try ValueDecoder(value: v, codingPath: p, userInfo: userInfo).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (v, p) = try next(Any.self)
        return ValueDecoder(value: v, codingPath: p, userInfo: userInfo)
    }
}

private struct SingleValue: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    func decodeNil() -> Bool { value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try Scalar.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try Scalar.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try Scalar.double(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try Scalar.float(value, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try Scalar.integer(value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Scalar.integer(value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Scalar.integer(value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Scalar.integer(value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Scalar.integer(value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try Scalar.integer(value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Scalar.integer(value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Scalar.integer(value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Scalar.integer(value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Scalar.integer(value, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try Scalar.decode(T.self, value, codingPath, userInfo) }
}
