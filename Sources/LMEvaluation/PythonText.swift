// Python `str` semantics the reference metrics depend on (CPython 3.11: str.isspace, str.split(),
// str.strip()/rstrip(), str.lower()). sacrebleu and rouge-score operate on code points, so text
// here is an array of Unicode scalars, never grapheme clusters.

/// Text as Python sees it: a sequence of code points.
typealias CodePoints = [Unicode.Scalar]

enum PythonText {
    /// `str.isspace()` for one code point: bidirectional class WS, B or S, or category Zs.
    @inline(__always)
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `str.split()` with no separator: runs of whitespace separate, empty fields are dropped.
    static func split(_ text: CodePoints) -> [CodePoints] {
        var words: [CodePoints] = []
        var start = -1
        for (i, c) in text.enumerated() {
            if isSpace(c) {
                if start >= 0 { words.append(Array(text[start..<i])); start = -1 }
            } else if start < 0 {
                start = i
            }
        }
        if start >= 0 { words.append(Array(text[start...])) }
        return words
    }

    /// `str.strip()`.
    static func strip(_ text: CodePoints) -> CodePoints {
        guard let first = text.firstIndex(where: { !isSpace($0) }) else { return [] }
        let last = text.lastIndex(where: { !isSpace($0) }) ?? first
        return Array(text[first...last])
    }

    /// `str.rstrip()`.
    static func rstrip(_ text: CodePoints) -> CodePoints {
        guard let last = text.lastIndex(where: { !isSpace($0) }) else { return [] }
        return Array(text[...last])
    }

    /// `str.lower()`: the full lowercase mapping of every code point, with the one context rule
    /// CPython applies (Greek capital sigma becomes final sigma at the end of a word).
    static func lower(_ text: CodePoints) -> CodePoints {
        if text.allSatisfy({ $0.isASCII }) {
            return text.map { c in (0x41...0x5A).contains(c.value) ? Unicode.Scalar(c.value + 32) ?? c : c }
        }
        var out: CodePoints = []
        out.reserveCapacity(text.count)
        for (i, c) in text.enumerated() {
            if c.value == 0x3A3 {
                out.append(isFinalSigma(text, at: i) ? "\u{3C2}" : "\u{3C3}")
            } else {
                out.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return out
    }

    /// CPython's Final_Sigma test: a cased letter (skipping case-ignorables) before, none after.
    private static func isFinalSigma(_ text: CodePoints, at index: Int) -> Bool {
        var j = index - 1
        while j >= 0 && text[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0 && text[j].properties.isCased else { return false }
        j = index + 1
        while j < text.count && text[j].properties.isCaseIgnorable { j += 1 }
        return !(j < text.count && text[j].properties.isCased)
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
