/// The token-level half of `JSONReader`: whitespace, literals, numbers and strings over raw bytes.
/// Outside strings JSON is ASCII, so UTF-8 is validated string by string and a 100 MB document is
/// never copied to check it.
struct JSONLexer {
    private let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var atEnd: Bool { position == bytes.count }

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    func error(_ message: String) -> JSONReader.ParseError {
        JSONReader.ParseError(message: message, offset: position)
    }

    mutating func advance() { position += 1 }

    /// Consumes `byte` if it is next.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            let c = bytes[position]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            position += 1
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONReader.ParseError) {
        let n = word.utf8CodeUnitCount
        guard bytes.count - position >= n else { throw error("truncated literal") }
        let matches = word.withUTF8Buffer { w in (0..<n).allSatisfy { bytes[position + $0] == w[$0] } }
        guard matches else { throw error("invalid literal") }
        position += n
    }

    /// A number, checked against RFC 8259's grammar (no leading zeros, digits after '.' and 'e').
    mutating func number() throws(JSONReader.ParseError) -> JSONNumber {
        let start = position
        _ = consume(UInt8(ascii: "-"))
        guard let first = peek, isDigit(first) else { throw error("invalid number") }
        position += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if consume(UInt8(ascii: ".")) {
            guard let d = peek, isDigit(d) else { throw error("invalid number: digit expected after '.'") }
            skipDigits()
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard let d = peek, isDigit(d) else { throw error("invalid number: digit expected in exponent") }
            skipDigits()
        }
        return JSONNumber(validText: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self))
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let c = peek, isDigit(c) { position += 1 }
    }

    /// A string starting at the opening quote, escapes decoded.
    mutating func string(loneSurrogates: JSONReader.LoneSurrogates) throws(JSONReader.ParseError) -> String {
        position += 1  // opening quote
        let start = position
        var hasEscapes = false
        var isASCII = true
        // Find the closing quote; an escape's second byte is never the closing quote.
        while true {
            guard let c = peek else { throw error("unterminated string") }
            if c == UInt8(ascii: "\"") { break }
            guard c >= 0x20 else { throw error("control character in string") }
            if c == UInt8(ascii: "\\") {
                hasEscapes = true
                position += 1
                guard peek != nil else { throw error("unterminated string") }
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
            throw JSONReader.ParseError(message: "invalid UTF-8 in string", offset: start)
        }
        guard hasEscapes else { return String(decoding: raw, as: UTF8.self) }

        var text = ""
        var i = start
        var runStart = start
        while i < end {
            guard bytes[i] == UInt8(ascii: "\\") else { i += 1; continue }
            text += String(decoding: UnsafeRawBufferPointer(rebasing: bytes[runStart..<i]), as: UTF8.self)
            position = i + 1
            text.unicodeScalars.append(try escape(loneSurrogates: loneSurrogates))
            i = position
            runStart = i
        }
        text += String(decoding: UnsafeRawBufferPointer(rebasing: bytes[runStart..<end]), as: UTF8.self)
        position = end + 1
        return text
    }

    private mutating func escape(loneSurrogates: JSONReader.LoneSurrogates) throws(JSONReader.ParseError) -> Unicode.Scalar {
        guard let c = peek else { throw error("unterminated escape") }
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
            let high = try hex4()
            if (0xD800..<0xDC00).contains(high), bytes.count - position >= 6,
               bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                let save = position
                position += 2
                let low = try hex4()
                if (0xDC00..<0xE000).contains(low), let pair = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) {
                    return pair
                }
                position = save
            }
            if let scalar = Unicode.Scalar(high) { return scalar }
            guard loneSurrogates == .replace else { throw error("unpaired surrogate in \\u escape") }
            return "\u{FFFD}"
        default:
            throw error("invalid escape")
        }
    }

    private mutating func hex4() throws(JSONReader.ParseError) -> UInt32 {
        guard bytes.count - position >= 4 else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
