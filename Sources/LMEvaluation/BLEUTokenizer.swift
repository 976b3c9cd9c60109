// Follows sacrebleu 2.6.0 tokenizers/tokenizer_13a.py, tokenizer_re.py, tokenizer_intl.py,
// tokenizer_zh.py, tokenizer_char.py and tokenizer_none.py. Each regex substitution there is a
// left-to-right, non-overlapping `re.sub` over code points; the scans below reproduce that
// exactly (a character consumed by one match is not the start of the next).

/// The word tokenizers of sacrebleu's BLEU (`--tokenize`).
public enum BLEUTokenizer: String, Sendable, CaseIterable {
    /// mteval-v13a, WMT's standard (the default).
    case thirteenA = "13a"
    /// mteval-v14 international: splits on Unicode punctuation and symbols.
    case intl
    /// Chinese: every CJK character is a token, the rest as 13a.
    case zh
    /// Every non-space character is a token.
    case char
    /// Whitespace only.
    case none

    /// The tokens of one (already lowercased and right-stripped) segment.
    func tokens(_ line: CodePoints) -> [CodePoints] {
        switch self {
        case .thirteenA: return PythonText.split(Self.regexpPost(Self.thirteenAPre(line)))
        case .intl: return PythonText.split(Self.intl(line))
        case .zh: return PythonText.split(Self.regexpPost(Self.zhSpacing(line)))
        case .char: return line.filter { !PythonText.isSpace($0) }.map { [$0] }
        case .none: return PythonText.split(line)
        }
    }

    // MARK: 13a

    /// Tokenizer13a's language-independent part, then the padding spaces it adds.
    private static func thirteenAPre(_ input: CodePoints) -> CodePoints {
        var line = PythonText.replace(input, "<skipped>", "")
        line = PythonText.replace(line, "-\n", "")
        line = line.map { $0 == "\n" ? " " : $0 }
        if line.contains("&") {
            line = PythonText.replace(line, "&quot;", "\"")
            line = PythonText.replace(line, "&amp;", "&")
            line = PythonText.replace(line, "&lt;", "<")
            line = PythonText.replace(line, "&gt;", ">")
        }
        return [" "] + line + [" "]
    }

    @inline(__always) private static func isDigit(_ c: Unicode.Scalar) -> Bool { (0x30...0x39).contains(c.value) }
    @inline(__always) private static func isPeriodOrComma(_ c: Unicode.Scalar) -> Bool { c == "." || c == "," }

    /// TokenizerRegexp's four substitutions (shared by 13a and zh).
    private static func regexpPost(_ line: CodePoints) -> CodePoints {
        // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> ' \1 '
        var s: CodePoints = []
        s.reserveCapacity(line.count * 2)
        for c in line {
            switch c.value {
            case 0x7B...0x7E, 0x5B...0x60, 0x20...0x26, 0x28...0x2B, 0x3A...0x40, 0x2F:
                s.append(" "); s.append(c); s.append(" ")
            default:
                s.append(c)
            }
        }
        // ([^0-9])([\.,]) -> '\1 \2 '
        s = substitutePairs(s, { !isDigit($0) }, isPeriodOrComma) { a, b in [a, " ", b, " "] }
        // ([\.,])([^0-9]) -> ' \1 \2'
        s = substitutePairs(s, isPeriodOrComma, { !isDigit($0) }) { a, b in [" ", a, " ", b] }
        // ([0-9])(-) -> '\1 \2 '
        s = substitutePairs(s, isDigit, { $0 == "-" }) { a, b in [a, " ", b, " "] }
        return s
    }

    /// `re.sub` of a two-character pattern `(first)(second)`: non-overlapping, left to right.
    @inline(__always)
    private static func substitutePairs(
        _ s: CodePoints, _ first: (Unicode.Scalar) -> Bool, _ second: (Unicode.Scalar) -> Bool,
        _ replacement: (Unicode.Scalar, Unicode.Scalar) -> [Unicode.Scalar]
    ) -> CodePoints {
        var out: CodePoints = []
        out.reserveCapacity(s.count + s.count / 4)
        var i = 0
        while i < s.count {
            if i + 1 < s.count && first(s[i]) && second(s[i + 1]) {
                out.append(contentsOf: replacement(s[i], s[i + 1]))
                i += 2
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    // MARK: intl

    private static func isNumber(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    private static func isPunctuation(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    private static func isSymbol(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: return true
        default: return false
        }
    }

    private static func intl(_ line: CodePoints) -> CodePoints {
        // (\P{N})(\p{P}) -> '\1 \2 '
        var s = substitutePairs(line, { !isNumber($0) }, isPunctuation) { a, b in [a, " ", b, " "] }
        // (\p{P})(\P{N}) -> ' \1 \2'
        s = substitutePairs(s, isPunctuation, { !isNumber($0) }) { a, b in [" ", a, " ", b] }
        // (\p{S}) -> ' \1 '
        var out: CodePoints = []
        out.reserveCapacity(s.count + s.count / 4)
        for c in s {
            if isSymbol(c) { out.append(" "); out.append(c); out.append(" ") } else { out.append(c) }
        }
        return out
    }

    // MARK: zh

    /// TokenizerZh's ranges. sacrebleu writes two of them with five hex digits inside `\u`
    /// escapes ('\u20000' is U+2000 followed by '0'), and compares one character against those
    /// two-character strings, so they cover U+2001...U+2A6D and U+2F81...U+2FA1: reproduced as such.
    private static let chineseRanges: [ClosedRange<UInt32>] = [
        0x3400...0x4DB5, 0x4E00...0x9FA5, 0x9FA6...0x9FBB, 0xF900...0xFA2D, 0xFA30...0xFA6A, 0xFA70...0xFAD9,
        0x2001...0x2A6D, 0x2F81...0x2FA1, 0xFF00...0xFFEF, 0x2E80...0x2EFF, 0x3000...0x303F, 0x31C0...0x31EF,
        0x2F00...0x2FDF, 0x2FF0...0x2FFF, 0x3100...0x312F, 0x31A0...0x31BF, 0xFE10...0xFE1F, 0xFE30...0xFE4F,
        0x2600...0x26FF, 0x2700...0x27BF, 0x3200...0x32FF, 0x3300...0x33FF,
    ]

    private static func isChinese(_ c: Unicode.Scalar) -> Bool {
        chineseRanges.contains { $0.contains(c.value) }
    }

    private static func zhSpacing(_ input: CodePoints) -> CodePoints {
        var out: CodePoints = []
        let line = PythonText.strip(input)
        out.reserveCapacity(line.count * 2)
        for c in line {
            if isChinese(c) { out.append(" "); out.append(c); out.append(" ") } else { out.append(c) }
        }
        return out
    }
}
