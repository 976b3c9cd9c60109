/// A JSON value as parsed by `WeightsJSON`. Objects keep their members in file order.
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The number's text, exactly as written, so integers are read without a trip through Double.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// The member named `key` of an object (members are unique: the parser rejects duplicates).
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    /// A non-negative integer that fits in `Int`, written without fraction or exponent (as serde reads usize).
    var nonNegativeInt: Int? {
        guard case .number(let text) = self, !text.isEmpty,
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text)
    }

    /// A short name of the value's kind, for error messages.
    var kind: String {
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

/// A strict RFC 8259 JSON parser for checkpoint headers and index files.
///
/// Foundation's decoders keep one of two members with the same name; a safetensors header with
/// duplicate tensor names is malformed and must be rejected, so this parser reports duplicates. It also
/// bounds nesting depth, so hostile input cannot exhaust the stack.
struct WeightsJSON {
    struct ParseError: Error {
        let message: String
        let offset: Int
    }

    static let maxDepth = 64

    /// Parses `bytes` as one UTF-8 JSON document with optional surrounding whitespace. Outside strings
    /// JSON is ASCII, so UTF-8 is validated string by string (a 100 MB header is not copied to check it).
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> JSONValue {
        var parser = WeightsJSON(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.position != bytes.count {
            throw ParseError(message: "unexpected data after the JSON value", offset: parser.position)
        }
        return value
    }

    static func parse(_ bytes: [UInt8]) throws(ParseError) -> JSONValue {
        // `withUnsafeBytes` cannot forward a typed throw, so the error is carried out in a Result.
        let result: Result<JSONValue, ParseError> = bytes.withUnsafeBytes { raw in
            do throws(ParseError) { return .success(try parse(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private func fail(_ message: String) -> ParseError {
        ParseError(message: message, offset: position)
    }

    private var current: UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func skipWhitespace() {
        while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 {
            position += 1
        }
    }

    private mutating func expect(_ literal: StaticString) throws(ParseError) {
        let n = literal.utf8CodeUnitCount
        guard position + n <= bytes.count else { throw fail("truncated literal") }
        let ok = literal.withUTF8Buffer { lit in
            (0..<n).allSatisfy { bytes[position + $0] == lit[$0] }
        }
        guard ok else { throw fail("invalid literal") }
        position += n
    }

    private mutating func parseValue(depth: Int) throws(ParseError) -> JSONValue {
        guard depth < WeightsJSON.maxDepth else { throw fail("nesting deeper than \(WeightsJSON.maxDepth)") }
        guard let c = current else { throw fail("unexpected end of input") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case 0x21...0x7E: throw fail("unexpected character '\(Character(Unicode.Scalar(c)))'")
        default: throw fail("unexpected byte 0x\(String(c, radix: 16))")
        }
    }

    private mutating func parseObject(depth: Int) throws(ParseError) -> JSONValue {
        position += 1  // {
        var members: [(key: String, value: JSONValue)] = []
        var seen = Set<String>()
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let keyOffset = position
            let key = try parseString()
            guard seen.insert(key).inserted else {
                throw ParseError(message: "duplicate member '\(key)'", offset: keyOffset)
            }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw fail("expected ':' after member name") }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            members.append((key, value))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            default: throw fail("expected ',' or '}' in object")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(ParseError) -> JSONValue {
        position += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(items)
            default: throw fail("expected ',' or ']' in array")
            }
        }
    }

    private mutating func parseNumber() throws(ParseError) -> String {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, isDigit(first) else { throw fail("invalid number") }
        position += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if current == UInt8(ascii: ".") {
            position += 1
            guard let d = current, isDigit(d) else { throw fail("invalid number: digit expected after '.'") }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let d = current, isDigit(d) else { throw fail("invalid number: digit expected in exponent") }
            skipDigits()
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let c = current, isDigit(c) { position += 1 }
    }

    private mutating func parseString() throws(ParseError) -> String {
        position += 1  // opening quote
        let start = position
        var hasEscapes = false
        var isASCII = true
        // Find the closing quote; an escape's second byte is never the closing quote.
        while true {
            guard let c = current else { throw fail("unterminated string") }
            if c == UInt8(ascii: "\"") { break }
            guard c >= 0x20 else { throw fail("control character in string") }
            if c == UInt8(ascii: "\\") {
                hasEscapes = true
                position += 1
                guard current != nil else { throw fail("unterminated string") }
            } else if c >= 0x80 {
                isASCII = false
            }
            position += 1
        }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<position])
        let end = position
        position += 1  // closing quote
        // Escapes are ASCII, so the raw bytes are valid UTF-8 exactly when the string is.
        if !isASCII && String(validating: raw, as: UTF8.self) == nil {
            throw ParseError(message: "invalid UTF-8 in string", offset: start)
        }
        guard hasEscapes else { return String(decoding: raw, as: UTF8.self) }

        var text = ""
        var i = start
        var runStart = start
        while i < end {
            guard bytes[i] == UInt8(ascii: "\\") else { i += 1; continue }
            text += String(decoding: UnsafeRawBufferPointer(rebasing: bytes[runStart..<i]), as: UTF8.self)
            position = i + 1
            text.unicodeScalars.append(try parseEscape())
            i = position
            runStart = i
        }
        text += String(decoding: UnsafeRawBufferPointer(rebasing: bytes[runStart..<end]), as: UTF8.self)
        position = end + 1
        return text
    }

    private mutating func parseEscape() throws(ParseError) -> Unicode.Scalar {
        guard let c = current else { throw fail("unterminated escape") }
        position += 1
        switch c {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try parseHex4()
            if (0xD800..<0xDC00).contains(high) {
                guard current == UInt8(ascii: "\\"), position + 1 < bytes.count,
                      bytes[position + 1] == UInt8(ascii: "u") else { throw fail("unpaired surrogate") }
                position += 2
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                guard let scalar = Unicode.Scalar(value) else { throw fail("invalid escape") }
                return scalar
            }
            guard let scalar = Unicode.Scalar(high) else { throw fail("unpaired surrogate") }
            return scalar
        default:
            throw fail("invalid escape")
        }
    }

    private mutating func parseHex4() throws(ParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
