// Python `str` semantics the reference metrics depend on (CPython 3.11, Unicode 14.0: str.isspace,
// str.split(), str.strip()/rstrip(), str.lower(), str.replace()); the one copy in LMEvaluation. sacrebleu and rouge-score operate on code points, so text
// here is an array of Unicode scalars, never grapheme clusters.

/// Text as Python sees it: a sequence of code points.
typealias CodePoints = [Unicode.Scalar]

/// A code point in either form the metrics keep text in: `Unicode.Scalar` (BLEU, chrF, ROUGE) or
/// its `UInt32` value (TER, the stemmer), so one implementation of Python's rules serves both.
protocol PythonCodePoint: Hashable {
    var codePoint: UInt32 { get }
    /// A valid code point's value as this type (nil for a surrogate or past U+10FFFF).
    init?(codePoint: UInt32)
}

extension Unicode.Scalar: PythonCodePoint {
    var codePoint: UInt32 { value }
    init?(codePoint: UInt32) { self.init(codePoint) }
}

extension UInt32: PythonCodePoint {
    var codePoint: UInt32 { self }
    init?(codePoint: UInt32) { self = codePoint }
}

enum PythonText {
    /// `str.isspace()` of CPython 3.11 for one code point: bidirectional class WS, B or S, or
    /// category Zs, which is wider than Unicode White_Space (it includes U+001C...U+001F).
    @inline(__always)
    static func isSpace(_ c: some PythonCodePoint) -> Bool {
        switch c.codePoint {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `str.split()` with no separator: runs of whitespace separate, empty fields are dropped.
    static func split<C: PythonCodePoint>(_ text: [C]) -> [[C]] {
        var words: [[C]] = []
        var start = -1
        for i in text.indices {
            if isSpace(text[i]) {
                if start >= 0 { words.append(Array(text[start..<i])); start = -1 }
            } else if start < 0 {
                start = i
            }
        }
        if start >= 0 { words.append(Array(text[start...])) }
        return words
    }

    /// `str.strip()`.
    static func strip<C: PythonCodePoint>(_ text: [C]) -> [C] {
        guard let first = text.firstIndex(where: { !isSpace($0) }) else { return [] }
        let last = text.lastIndex(where: { !isSpace($0) }) ?? first
        return Array(text[first...last])
    }

    /// `str.rstrip()`.
    static func rstrip<C: PythonCodePoint>(_ text: [C]) -> [C] {
        guard let last = text.lastIndex(where: { !isSpace($0) }) else { return [] }
        return Array(text[...last])
    }

    /// `str.lower()` of CPython 3.11: the full lowercase mapping of every code point Unicode 14.0
    /// assigns, with the one context rule CPython applies (Greek capital sigma becomes final sigma
    /// at the end of a word). Code points assigned later are unassigned to Python: kept as they are.
    static func lower<C: PythonCodePoint>(_ text: [C]) -> [C] {
        var out: [C] = []
        out.reserveCapacity(text.count)
        for i in text.indices {
            let c = text[i].codePoint
            if c < 0x80 {
                out.append((0x41...0x5A).contains(c) ? C(codePoint: c + 0x20) ?? text[i] : text[i])
            } else if c == 0x3A3 {
                out.append(C(codePoint: isFinalSigma(text, at: i) ? 0x3C2 : 0x3C3) ?? text[i])
            } else if let scalar = Unicode.Scalar(c), knownToPython(scalar) {
                for m in scalar.properties.lowercaseMapping.unicodeScalars {
                    if let lowered = C(codePoint: m.value) { out.append(lowered) }
                }
            } else {
                out.append(text[i])
            }
        }
        return out
    }

    // CPython's handle_capital_sigma: \p{cased}\p{case-ignorable}* Σ !(\p{case-ignorable}* \p{cased}).
    private static func isFinalSigma<C: PythonCodePoint>(_ text: [C], at index: Int) -> Bool {
        var j = index - 1
        while j >= 0 && isCaseIgnorable(text[j].codePoint) { j -= 1 }
        guard j >= 0 && isCased(text[j].codePoint) else { return false }
        j = index + 1
        while j < text.count && isCaseIgnorable(text[j].codePoint) { j += 1 }
        return j == text.count || !isCased(text[j].codePoint)
    }

    // The references run on Python 3.11 (Unicode 14.0) while Swift's tables are newer: code points
    // assigned later are unassigned to Python (no case mapping, neither cased nor case-ignorable).
    private static func knownToPython(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < 14 || (age.major == 14 && age.minor == 0)
    }

    // Two code points whose properties changed after Unicode 14.0 (found by diffing every code point).
    private static func isCased(_ c: UInt32) -> Bool {
        if c == 0x295 { return true }
        if c == 0x1171E { return false }
        guard let scalar = Unicode.Scalar(c), knownToPython(scalar) else { return false }
        return scalar.properties.isCased
    }

    private static func isCaseIgnorable(_ c: UInt32) -> Bool {
        if c == 0x295 { return false }
        if c == 0x1171E { return true }
        guard let scalar = Unicode.Scalar(c), knownToPython(scalar) else { return false }
        return scalar.properties.isCaseIgnorable
    }

    /// `str.replace(old, new)`: every non-overlapping occurrence, left to right.
    static func replace(_ text: CodePoints, _ old: String, _ new: String) -> CodePoints {
        let pattern = Array(old.unicodeScalars)
        guard !pattern.isEmpty, text.count >= pattern.count else { return text }
        let replacement = Array(new.unicodeScalars)
        var out: CodePoints = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if text[i] == pattern[0] && i + pattern.count <= text.count && text[i..<(i + pattern.count)].elementsEqual(pattern) {
                out.append(contentsOf: replacement)
                i += pattern.count
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }
}

extension String {
    /// The string's code points, as Python indexes a `str`.
    var codePoints: CodePoints { Array(unicodeScalars) }

    init(codePoints: some Sequence<Unicode.Scalar>) {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: codePoints)
        self = String(view)
    }
}
