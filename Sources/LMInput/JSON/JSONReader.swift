/// The strict RFC 8259 reader behind every JSON file lmcore reads.
///
/// Strict: no trailing commas, comments, NaN, leading zeros or byte order mark, and UTF-8 is
/// validated; nesting is bounded so a hostile file cannot exhaust the stack. What differs between
/// files is only what their reference reader does with duplicate member names and with escaped lone
/// surrogates, so those are the two policies (see `Options`' presets).
package struct JSONReader {
    package enum DuplicateKeys: Sendable {
        /// Keep every member; lookups take the last (Python's `json` into a dict, serde into a map).
        case keepAll
        /// A duplicate is a format error (safetensors headers: two tensors with one name are corrupt).
        case reject
    }

    package enum LoneSurrogates: Sendable {
        /// `"\ud800"` alone becomes U+FFFD (Python accepts it; a Swift String cannot hold it).
        case replace
        /// `"\ud800"` alone is an error, as serde_json reports it.
        case reject
    }

    package struct Options: Sendable {
        package var duplicateKeys: DuplicateKeys
        package var loneSurrogates: LoneSurrogates
        package var maxDepth: Int

        package init(duplicateKeys: DuplicateKeys, loneSurrogates: LoneSurrogates, maxDepth: Int) {
            self.duplicateKeys = duplicateKeys
            self.loneSurrogates = loneSurrogates
            self.maxDepth = maxDepth
        }

        /// Files transformers reads with Python's `json.load`: config.json, generation_config.json,
        /// tokenizer_config.json, special_tokens_map.json, added_tokens.json, Marian's vocab.json.
        package static let python = Options(duplicateKeys: .keepAll, loneSurrogates: .replace, maxDepth: 512)
        /// Files HF's Rust crates read with serde_json: tokenizer.json (tokenizers). serde_json's
        /// recursion limit of 128 rejects the 128th nested container.
        package static let serde = Options(duplicateKeys: .keepAll, loneSurrogates: .reject, maxDepth: 127)
        /// safetensors headers and shard indexes: duplicate tensor names are rejected.
        package static let uniqueKeys = Options(duplicateKeys: .reject, loneSurrogates: .reject, maxDepth: 64)
    }

    /// A syntax error: what was expected, and the byte offset where reading stopped.
    package struct ParseError: Error, CustomStringConvertible {
        package let message: String
        package let offset: Int
        package var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    /// Parses `bytes` as one UTF-8 JSON document with optional surrounding whitespace.
    package static func parse(_ bytes: UnsafeRawBufferPointer, options: Options) throws(ParseError) -> JSONValue {
        try parse(bytes, options: options, capturing: []).value
    }

    /// Parses like `parse(_:options:)`, but a member at one of `paths` (member names from the root,
    /// e.g. ["model", "vocab"]) whose value has one of `JSONBulk`'s shapes throughout is returned in
    /// `captured` instead, its place in the tree holding an empty array or object of the same kind.
    /// A value of any other shape stays in the tree. Only for `.keepAll` duplicate policies.
    package static func parse(_ bytes: UnsafeRawBufferPointer, options: Options, capturing paths: [[String]])
        throws(ParseError) -> (value: JSONValue, captured: [[String]: JSONBulk]) {
        var reader = JSONReader(lexer: JSONLexer(bytes), options: options)
        reader.capturePaths = options.duplicateKeys == .keepAll ? paths : []
        reader.captureDepth = reader.capturePaths.map(\.count).max() ?? 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            // Python's json.loads and serde_json both refuse the mark; saying so beats "unexpected byte".
            throw ParseError(message: "the file starts with a UTF-8 byte order mark, which JSON readers reject", offset: 0)
        }
        reader.lexer.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.lexer.skipWhitespace()
        guard reader.lexer.atEnd else { throw reader.lexer.error("unexpected data after the JSON value") }
        return (value, reader.captured)
    }

    package static func parse(_ bytes: [UInt8], options: Options) throws(ParseError) -> JSONValue {
        // `withUnsafeBytes` cannot forward a typed throw, so the error is carried out in a Result.
        let result: Result<JSONValue, ParseError> = bytes.withUnsafeBytes { raw in
            do throws(ParseError) { return .success(try parse(raw, options: options)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Reads and parses a file; every failure is an `InputError` naming `path` (`io` when the file cannot
    /// be read, `format` for invalid JSON).
    package static func parse(contentsOf path: String, options: Options) throws(InputError) -> JSONValue {
        let bytes = try FileBytes.read(path)
        do {
            return try parse(bytes, options: options)
        } catch {
            throw InputError.format("\(path): \(error)")
        }
    }

    private var lexer: JSONLexer
    private let options: Options
    /// Capture state (`parse(_:options:capturing:)`): the paths, the longest one's length, the member
    /// names from the root to the current value (tracked only that deep), and what was captured.
    private var capturePaths: [[String]] = []
    private var captureDepth = 0
    private var path: [String] = []
    private var captured: [[String]: JSONBulk] = [:]

    private init(lexer: JSONLexer, options: Options) {
        self.lexer = lexer
        self.options = options
    }

    private mutating func value(depth: Int) throws(ParseError) -> JSONValue {
        guard depth < options.maxDepth else { throw lexer.error("nesting deeper than \(options.maxDepth)") }
        guard let c = lexer.peek else { throw lexer.error("unexpected end of input") }
        switch c {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try lexer.string(loneSurrogates: options.loneSurrogates))
        case UInt8(ascii: "t"): try lexer.literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try lexer.literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try lexer.literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try lexer.number())
        case 0x21...0x7E: throw lexer.error("unexpected character '\(Character(Unicode.Scalar(c)))'")
        default: throw lexer.error("unexpected byte 0x\(String(c, radix: 16))")
        }
    }

    private mutating func object(depth: Int) throws(ParseError) -> JSONValue {
        lexer.advance()  // {
        var members: [(key: String, value: JSONValue)] = []
        var seen = Set<[UInt8]>()
        lexer.skipWhitespace()
        if lexer.consume(UInt8(ascii: "}")) { return .object(members) }
        while true {
            lexer.skipWhitespace()
            guard lexer.peek == UInt8(ascii: "\"") else { throw lexer.error("expected a member name") }
            let keyOffset = lexer.position
            let key = try lexer.string(loneSurrogates: options.loneSurrogates)
            if options.duplicateKeys == .reject, !seen.insert(Array(key.utf8)).inserted {
                throw ParseError(message: "duplicate member '\(key)'", offset: keyOffset)
            }
            lexer.skipWhitespace()
            guard lexer.consume(UInt8(ascii: ":")) else { throw lexer.error("expected ':' after member name") }
            lexer.skipWhitespace()
            if depth < captureDepth {
                path.append(key)
                defer { path.removeLast() }
                if capturePaths.contains(path), depth + 3 < options.maxDepth, let found = bulk() {
                    captured[path] = found.data
                    members.append((key, found.placeholder))
                } else {
                    members.append((key, try value(depth: depth + 1)))
                }
            } else {
                members.append((key, try value(depth: depth + 1)))
            }
            lexer.skipWhitespace()
            if lexer.consume(UInt8(ascii: ",")) { continue }
            if lexer.consume(UInt8(ascii: "}")) { return .object(members) }
            throw lexer.error("expected ',' or '}' in object")
        }
    }

    private mutating func array(depth: Int) throws(ParseError) -> JSONValue {
        lexer.advance()  // [
        var items: [JSONValue] = []
        lexer.skipWhitespace()
        if lexer.consume(UInt8(ascii: "]")) { return .array(items) }
        while true {
            lexer.skipWhitespace()
            items.append(try value(depth: depth + 1))
            lexer.skipWhitespace()
            if lexer.consume(UInt8(ascii: ",")) { continue }
            if lexer.consume(UInt8(ascii: "]")) { return .array(items) }
            throw lexer.error("expected ',' or ']' in array")
        }
    }

    /// The value at the lexer as one of `JSONBulk`'s shapes and its placeholder, or nil with the
    /// lexer where it was (then the caller parses the value as usual, with the usual errors).
    private mutating func bulk() -> (data: JSONBulk, placeholder: JSONValue)? {
        let start = lexer
        do throws(ParseError) {
            if let found = try bulkValue() { return found }
        } catch {
            // Reported by the ordinary parse of the same bytes.
        }
        lexer = start
        return nil
    }

    private mutating func bulkValue() throws(ParseError) -> (JSONBulk, JSONValue)? {
        let surrogates = options.loneSurrogates
        if lexer.consume(UInt8(ascii: "{")) {
            var members: [(String, Double)] = []
            lexer.skipWhitespace()
            guard lexer.peek == UInt8(ascii: "\"") else { return nil }
            while true {
                lexer.skipWhitespace()
                guard lexer.peek == UInt8(ascii: "\"") else { return nil }
                let key = try lexer.string(loneSurrogates: surrogates)
                lexer.skipWhitespace()
                guard lexer.consume(UInt8(ascii: ":")) else { return nil }
                lexer.skipWhitespace()
                guard let number = try bulkNumber() else { return nil }
                members.append((key, number))
                lexer.skipWhitespace()
                if lexer.consume(UInt8(ascii: ",")) { continue }
                if lexer.consume(UInt8(ascii: "}")) { return (.stringNumberMembers(members), .object([])) }
                return nil
            }
        }
        guard lexer.consume(UInt8(ascii: "[")) else { return nil }
        lexer.skipWhitespace()
        if lexer.peek == UInt8(ascii: "\"") {
            var strings: [String] = []
            while true {
                lexer.skipWhitespace()
                guard lexer.peek == UInt8(ascii: "\"") else { return nil }
                strings.append(try lexer.string(loneSurrogates: surrogates))
                lexer.skipWhitespace()
                if lexer.consume(UInt8(ascii: ",")) { continue }
                if lexer.consume(UInt8(ascii: "]")) { return (.strings(strings), .array([])) }
                return nil
            }
        }
        guard lexer.peek == UInt8(ascii: "[") else { return nil }
        var numberPairs: [(String, Double)] = []
        var stringPairs: [(String, String)] = []
        var secondIsString: Bool? = nil
        while true {
            lexer.skipWhitespace()
            guard lexer.consume(UInt8(ascii: "[")) else { return nil }
            lexer.skipWhitespace()
            guard lexer.peek == UInt8(ascii: "\"") else { return nil }
            let first = try lexer.string(loneSurrogates: surrogates)
            lexer.skipWhitespace()
            guard lexer.consume(UInt8(ascii: ",")) else { return nil }
            lexer.skipWhitespace()
            let isString = lexer.peek == UInt8(ascii: "\"")
            if secondIsString == nil { secondIsString = isString }
            guard isString == secondIsString else { return nil }
            if isString {
                stringPairs.append((first, try lexer.string(loneSurrogates: surrogates)))
            } else {
                guard let number = try bulkNumber() else { return nil }
                numberPairs.append((first, number))
            }
            lexer.skipWhitespace()
            guard lexer.consume(UInt8(ascii: "]")) else { return nil }
            lexer.skipWhitespace()
            if lexer.consume(UInt8(ascii: ",")) { continue }
            if lexer.consume(UInt8(ascii: "]")) { break }
            return nil
        }
        return (secondIsString == true ? .stringPairs(stringPairs) : .stringNumberPairs(numberPairs), .array([]))
    }

    /// A number as a Double (as `JSONValue.double` reads it), or nil when the value is not a number.
    private mutating func bulkNumber() throws(ParseError) -> Double? {
        guard let c = lexer.peek, c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) else {
            return nil
        }
        return try lexer.number().double
    }
}
