#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Fast path for the bulk of a tokenizer.json: the model's "vocab" and "merges" (tens of
/// thousands of entries, where Codable spends most of the load time) are scanned here directly
/// from the bytes, and replaced by empty placeholders in the document JSONDecoder then reads.
/// Anything unexpected makes the scanner give up, and the plain Codable path (with its error
/// messages) takes over.
struct ModelDataScanner {
    /// What was scanned, handed to `TokenizerModelConfig` through `JSONDecoder.userInfo`.
    final class Scanned: @unchecked Sendable {
        var vocab: [(String, Double)]? = nil
        var vocabIsArray = false
        var merges: [(String, String)]? = nil
        var mergesAreStrings = false
    }

    static let userInfoKey: CodingUserInfoKey? = CodingUserInfoKey(rawValue: "lmcore.scannedModelData")

    private let b: [UInt8]
    private var i = 0

    private init(_ bytes: [UInt8]) { b = bytes }

    /// Returns the document with vocab/merges blanked and what they held, or nil to fall back.
    static func scan(_ data: Data) -> (Data, Scanned)? {
        var s = ModelDataScanner([UInt8](data))
        return s.run()
    }

    private mutating func run() -> (Data, Scanned)? {
        skipSpace()
        guard peek() == UInt8(ascii: "{") else { return nil }
        i += 1
        var modelRange: Range<Int>? = nil
        while true {
            skipSpace()
            if peek() == UInt8(ascii: "}") { break }
            guard let key = string() else { return nil }
            skipSpace()
            guard expect(":") else { return nil }
            skipSpace()
            let start = i
            let isObject = peek() == UInt8(ascii: "{")
            guard skipValue() else { return nil }
            if key == "model" { modelRange = isObject ? start..<i : nil }
            skipSpace()
            if peek() == UInt8(ascii: ",") { i += 1; continue }
            if peek() == UInt8(ascii: "}") { break }
            return nil
        }
        guard let model = modelRange else { return nil }
        // Inside the model object: find vocab and merges.
        i = model.lowerBound + 1
        var blanks: [(Range<Int>, String)] = []
        let scanned = Scanned()
        while i < model.upperBound {
            skipSpace()
            if peek() == UInt8(ascii: "}") { break }
            guard let key = string() else { return nil }
            skipSpace()
            guard expect(":") else { return nil }
            skipSpace()
            let start = i
            if key == "vocab" && peek() == UInt8(ascii: "{") {
                guard let v = vocabObject() else { return nil }
                scanned.vocab = v
                blanks.append((start..<i, "{}"))
            } else if key == "vocab" && peek() == UInt8(ascii: "[") {
                guard let v = vocabArray() else { return nil }
                scanned.vocab = v
                scanned.vocabIsArray = true
                blanks.append((start..<i, "[]"))
            } else if key == "merges" && peek() == UInt8(ascii: "[") {
                guard let (m, strings) = mergesArray() else { return nil }
                scanned.merges = m
                scanned.mergesAreStrings = strings
                blanks.append((start..<i, "[]"))
            } else {
                guard skipValue() else { return nil }
            }
            skipSpace()
            if peek() == UInt8(ascii: ",") { i += 1; continue }
            if peek() == UInt8(ascii: "}") { break }
            return nil
        }
        guard !blanks.isEmpty else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(b.count)
        var last = 0
        for (r, placeholder) in blanks.sorted(by: { $0.0.lowerBound < $1.0.lowerBound }) {
            out.append(contentsOf: b[last..<r.lowerBound])
            out.append(contentsOf: placeholder.utf8)
            last = r.upperBound
        }
        out.append(contentsOf: b[last...])
        return (Data(out), scanned)
    }

    // MARK: Bulk values

    private mutating func vocabObject() -> [(String, Double)]? {
        guard expect("{") else { return nil }
        var out: [(String, Double)] = []
        skipSpace()
        if peek() == UInt8(ascii: "}") { i += 1; return out }
        while true {
            skipSpace()
            guard let k = string() else { return nil }
            skipSpace()
            guard expect(":") else { return nil }
            skipSpace()
            guard let v = number() else { return nil }
            out.append((k, v))
            skipSpace()
            if peek() == UInt8(ascii: ",") { i += 1; continue }
            if expect("}") { return out }
            return nil
        }
    }

    private mutating func vocabArray() -> [(String, Double)]? {
        guard expect("[") else { return nil }
        var out: [(String, Double)] = []
        skipSpace()
        if peek() == UInt8(ascii: "]") { i += 1; return out }
        while true {
            skipSpace()
            guard expect("[") else { return nil }
            skipSpace()
            guard let k = string() else { return nil }
            skipSpace()
            guard expect(",") else { return nil }
            skipSpace()
            guard let v = number() else { return nil }
            skipSpace()
            guard expect("]") else { return nil }
            out.append((k, v))
            skipSpace()
            if peek() == UInt8(ascii: ",") { i += 1; continue }
            if expect("]") { return out }
            return nil
        }
    }

    private mutating func mergesArray() -> ([(String, String)], Bool)? {
        guard expect("[") else { return nil }
        var out: [(String, String)] = []
        skipSpace()
        if peek() == UInt8(ascii: "]") { i += 1; return (out, false) }
        var strings: Bool? = nil
        while true {
            skipSpace()
            if peek() == UInt8(ascii: "\"") {
                guard strings != false, let line = string() else { return nil }
                strings = true
                // The Codable path does the legacy "a b" splitting (and its errors).
                out.append((line, ""))
            } else {
                guard strings != true, expect("[") else { return nil }
                strings = false
                skipSpace()
                guard let a = string() else { return nil }
                skipSpace()
                guard expect(",") else { return nil }
                skipSpace()
                guard let c = string() else { return nil }
                skipSpace()
                guard expect("]") else { return nil }
                out.append((a, c))
            }
            skipSpace()
            if peek() == UInt8(ascii: ",") { i += 1; continue }
            if expect("]") { return (out, strings ?? false) }
            return nil
        }
    }

    // MARK: Lexing

    @inline(__always) private func peek() -> UInt8? { i < b.count ? b[i] : nil }

    @inline(__always) private mutating func expect(_ c: Unicode.Scalar) -> Bool {
        guard i < b.count, b[i] == UInt8(ascii: c) else { return false }
        i += 1
        return true
    }

    @inline(__always) private mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    private mutating func number() -> Double? {
        let start = i
        while i < b.count, (b[i] >= 0x30 && b[i] <= 0x39) || b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")
                || b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
        }
        guard i > start else { return nil }
        // Plain integers (ids) without going through a String.
        var value: Int64 = 0
        var negative = false
        var k = start
        if b[k] == UInt8(ascii: "-") { negative = true; k += 1 }
        var simple = k < i && i - k <= 15
        while simple && k < i {
            let d = b[k]
            if d < 0x30 || d > 0x39 { simple = false; break }
            value = value * 10 + Int64(d - 0x30)
            k += 1
        }
        if simple { return Double(negative ? -value : value) }
        return Double(String(decoding: b[start..<i], as: UTF8.self))
    }

    /// A JSON string; nil on anything malformed (including lone surrogates, which serde rejects).
    private mutating func string() -> String? {
        guard expect("\"") else { return nil }
        let start = i
        while i < b.count, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\"), b[i] >= 0x20 { i += 1 }
        if i < b.count, b[i] == UInt8(ascii: "\"") {
            let s = String(validating: b[start..<i], as: UTF8.self)
            i += 1
            return s
        }
        var out = [UInt8](b[start..<i])
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(validating: out, as: UTF8.self)
            }
            if c < 0x20 { return nil }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            i += 1
            guard i < b.count else { return nil }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var u = hex4() else { return nil }
                if u >= 0xD800 && u < 0xDC00 {
                    guard expect("\\"), expect("u"), let low = hex4(), low >= 0xDC00 && low < 0xE000 else { return nil }
                    u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)
                } else if u >= 0xDC00 && u < 0xE000 {
                    return nil
                }
                UTF8Scalar.append(u, to: &out)
            default:
                return nil
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard i + 4 <= b.count else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: return nil
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }

    /// Skips any JSON value (strings, numbers, literals, nested containers).
    private mutating func skipValue() -> Bool {
        skipSpace()
        guard let c = peek() else { return false }
        switch c {
        case UInt8(ascii: "\""):
            return skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < b.count {
                let x = b[i]
                if x == UInt8(ascii: "\"") {
                    guard skipString() else { return false }
                    continue
                }
                if x == UInt8(ascii: "{") || x == UInt8(ascii: "[") { depth += 1 }
                if x == UInt8(ascii: "}") || x == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { i += 1; return true }
                }
                i += 1
            }
            return false
        default:
            let start = i
            while i < b.count, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "}"), b[i] != UInt8(ascii: "]"),
                  b[i] != 0x20, b[i] != 0x0A, b[i] != 0x0D, b[i] != 0x09 { i += 1 }
            return i > start
        }
    }

    private mutating func skipString() -> Bool {
        guard expect("\"") else { return false }
        while i < b.count {
            if b[i] == UInt8(ascii: "\\") { i += 2; continue }
            if b[i] == UInt8(ascii: "\"") { i += 1; return true }
            i += 1
        }
        return false
    }
}
