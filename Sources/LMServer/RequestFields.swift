import Hummingbird
import LMInput
import NIOCore

/// The fields of one request body, read as LibreTranslate reads them: a JSON object when the
/// Content-Type says JSON, else `application/x-www-form-urlencoded` (what libretranslatepy and HTML
/// forms send; a repeated key keeps its first value, as Flask's `request.values.get`). Typed
/// accessors fail with a 400 that names the field.
struct RequestFields {
    private(set) var values: [String: JSONValue]
    let isJSON: Bool

    init(values: [String: JSONValue], isJSON: Bool) {
        self.values = values
        self.isJSON = isJSON
    }

    /// Reads the whole body (at most `limit` bytes: a larger one is 413) and parses it.
    static func read(_ request: Request, limit: Int) async throws -> RequestFields {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "Invalid request: the body is larger than \(limit) bytes")
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "Invalid request: the body is larger than \(limit) bytes")
        }
        let bytes = Array(buffer.readableBytesView)
        let type = request.headers[.contentType]?.lowercased() ?? ""
        if type.hasPrefix("application/json") || type.hasSuffix("+json") {
            return try parseJSON(bytes)
        }
        if type.isEmpty || type.hasPrefix("application/x-www-form-urlencoded") {
            return try parseForm(bytes)
        }
        throw APIError(.unsupportedMediaType, "Invalid request: Content-Type \(type) is not supported "
            + "(send application/json or application/x-www-form-urlencoded)")
    }

    static func parseJSON(_ bytes: [UInt8]) throws(APIError) -> RequestFields {
        let value: JSONValue
        do {
            // Duplicate keys are an error in a request: which one a client meant is not ours to guess.
            value = try JSONReader.parse(bytes, options: .uniqueKeys)
        } catch {
            throw .badRequest("Invalid request: the body is not valid JSON (\(error))")
        }
        guard let members = value.members else {
            throw .badRequest("Invalid request: the JSON body must be an object, got \(value.kind)")
        }
        return RequestFields(values: Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }),
                             isJSON: true)
    }

    static func parseForm(_ bytes: [UInt8]) throws(APIError) -> RequestFields {
        var values: [String: JSONValue] = [:]
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let key = try percentDecoded(parts[0])
            let value = parts.count > 1 ? try percentDecoded(parts[1]) : ""
            if values[key] == nil { values[key] = .string(value) }
        }
        return RequestFields(values: values, isJSON: false)
    }

    /// application/x-www-form-urlencoded decoding: `+` is a space, `%XX` a byte; the bytes must be UTF-8.
    static func percentDecoded(_ bytes: ArraySlice<UInt8>) throws(APIError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex,
                      let hi = hex(bytes[i + 1]), let lo = hex(bytes[i + 2]) else {
                    throw .badRequest("Invalid request: a malformed %-escape in the form body")
                }
                out.append(hi << 4 | lo)
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        guard let text = String(validating: out, as: UTF8.self) else {
            throw .badRequest("Invalid request: the form body is not UTF-8")
        }
        return text
    }

    /// Marks `key` as read, for `rejectUnknown`.
    private mutating func take(_ key: String) -> JSONValue? { values.removeValue(forKey: key) }

    mutating func value(_ key: String) -> JSONValue? {
        guard let v = take(key), !v.isNull else { return nil }
        return v
    }

    mutating func string(_ key: String) throws(APIError) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.string else { throw .badRequest("Invalid request: \(key) must be a string, got \(v.kind)") }
        return s
    }

    /// One string or a list of strings (LibreTranslate's `q`): the texts, and whether a list was sent.
    mutating func texts(_ key: String) throws(APIError) -> (texts: [String], isList: Bool)? {
        guard let v = value(key) else { return nil }
        if let s = v.string { return ([s], false) }
        guard let items = v.items else {
            throw .badRequest("Invalid request: \(key) must be a string or a list of strings, got \(v.kind)")
        }
        var texts: [String] = []
        for (i, item) in items.enumerated() {
            guard let s = item.string else {
                throw .badRequest("Invalid request: \(key)[\(i)] must be a string, got \(item.kind)")
            }
            texts.append(s)
        }
        return (texts, true)
    }

    /// An integer (form fields: its decimal text).
    mutating func int(_ key: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let v = value(key) else { return nil }
        let n: Int?
        if let s = v.string, !isJSON { n = Int(s) } else { n = v.integer }
        guard let n else { throw .badRequest("Invalid request: \(key) must be an integer, got \(v.kind)") }
        guard range.contains(n) else {
            throw .badRequest("Invalid request: \(key) is \(n); it must be in \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    mutating func bool(_ key: String) throws(APIError) -> Bool? {
        guard let v = value(key) else { return nil }
        if let b = v.bool { return b }
        if !isJSON, let s = v.string?.lowercased(), ["true", "false", "1", "0"].contains(s) {
            return s == "true" || s == "1"
        }
        throw .badRequest("Invalid request: \(key) must be true or false, got \(v.kind)")
    }

    /// Lists of token ids (`[[1, 2], [3]]`), each id a non-negative 32-bit integer.
    mutating func idLists(_ key: String) throws(APIError) -> [[Int32]]? {
        guard let v = value(key) else { return nil }
        return try RequestFields.idLists(v, key: key)
    }

    static func idLists(_ v: JSONValue, key: String) throws(APIError) -> [[Int32]] {
        guard let rows = v.items else { throw .badRequest("Invalid request: \(key) must be a list of id lists, got \(v.kind)") }
        var out: [[Int32]] = []
        out.reserveCapacity(rows.count)
        for (i, row) in rows.enumerated() {
            out.append(try ids(row, key: "\(key)[\(i)]"))
        }
        return out
    }

    static func ids(_ v: JSONValue, key: String) throws(APIError) -> [Int32] {
        guard let items = v.items else { throw .badRequest("Invalid request: \(key) must be a list of ids, got \(v.kind)") }
        var out: [Int32] = []
        out.reserveCapacity(items.count)
        for (j, item) in items.enumerated() {
            guard let n = item.integer, n >= 0, n <= Int(Int32.max) else {
                throw .badRequest("Invalid request: \(key)[\(j)] must be a token id (0...\(Int32.max)), got \(item.kind)")
            }
            out.append(Int32(n))
        }
        return out
    }

    /// Fails on any field no accessor has read (a misspelt option must not be ignored silently).
    func rejectUnknown(except allowed: Set<String> = []) throws(APIError) {
        let unknown = values.keys.filter { !allowed.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw .badRequest("Invalid request: unknown field" + (unknown.count > 1 ? "s " : " ")
                + unknown.map { "\"\($0)\"" }.joined(separator: ", "))
        }
    }
}
