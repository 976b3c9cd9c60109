// Follows sacrebleu 2.6.0 tokenizers/tokenizer_ter.py (itself a port of tercom 0.7.25's Normalizer),
// with the Python `str` semantics it relies on (CPython 3.11, Unicode 14.0).
// Text is handled as arrays of code point values: Python's regexes, split() and lower() work on code
// points, and Swift's String comparison (canonical equivalence) would merge words Python keeps apart.

extension TER {
    /// sacrebleu's `TercomTokenizer` preceded by `TER._preprocess_segment`'s `rstrip()`.
    struct Tokenizer: Sendable {
        var normalized: Bool
        var noPunct: Bool
        var asianSupport: Bool
        var caseSensitive: Bool

        /// `_preprocess_segment(text)`: the normalized text, words separated by single spaces.
        func preprocess(_ text: [UInt32]) -> [UInt32] {
            var s = PythonText.rstrip(text)
            if s.isEmpty { return [] }
            if !caseSensitive { s = PythonText.lower(s) }
            if normalized {
                s = Self.normalizeGeneralAndWestern(s)
                if asianSupport { s = Self.normalizeAsian(s) }
            }
            if noPunct {
                s.removeAll(where: Self.isBasicPunct)
                if asianSupport { s.removeAll(where: { Self.isAsianPunct($0) || Self.isFullWidthPunct($0) }) }
            }
            return Self.join(PythonText.split(s))
        }

        private static func join(_ words: [[UInt32]]) -> [UInt32] {
            var out: [UInt32] = []
            for (k, w) in words.enumerated() {
                if k > 0 { out.append(0x20) }
                out.append(contentsOf: w)
            }
            return out
        }

        // MARK: Tercom normalization

        private static func isDigit(_ c: UInt32) -> Bool { (0x30...0x39).contains(c) }
        private static func isPeriodOrComma(_ c: UInt32) -> Bool { c == 0x2E || c == 0x2C }

        // `[{-~[-` -&(-+:-@/]`: ASCII punctuation except ' , - . (and the space, harmlessly).
        private static func isTokenizedPunct(_ c: UInt32) -> Bool {
            switch c {
            case 0x7B...0x7E, 0x5B...0x60, 0x20...0x26, 0x28...0x2B, 0x3A...0x40, 0x2F: return true
            default: return false
            }
        }

        // `[\.,\?:;!\"\(\)]`
        private static func isBasicPunct(_ c: UInt32) -> Bool {
            switch c {
            case 0x2E, 0x2C, 0x3F, 0x3A, 0x3B, 0x21, 0x22, 0x28, 0x29: return true
            default: return false
            }
        }

        private static func isAsianPunct(_ c: UInt32) -> Bool {
            switch c {
            case 0x3001, 0x3002, 0x3008...0x3011, 0x3014...0x301F, 0xFF61...0xFF65, 0x30FB: return true
            default: return false
            }
        }

        private static func isFullWidthPunct(_ c: UInt32) -> Bool {
            switch c {
            case 0xFF0E, 0xFF0C, 0xFF1F, 0xFF1A, 0xFF1B, 0xFF01, 0xFF02, 0xFF08, 0xFF09: return true
            default: return false
            }
        }

        // Union of the single-character classes `_normalize_asian` pads with spaces. Padding a
        // character twice (the ranges overlap) only adds whitespace, which split() discards.
        private static func isAsianSplit(_ c: UInt32) -> Bool {
            switch c {
            case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x31C0...0x31EF, 0x2E80...0x2EFF,
                 0x3300...0x33FF, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0x3200...0x3F22:
                return true
            default:
                return isAsianPunct(c) || isFullWidthPunct(c)
            }
        }

        private static func normalizeGeneralAndWestern(_ text: [UInt32]) -> [UInt32] {
            var s = replace(text, [0x0A, 0x2D], with: [])  // "\n-": end-of-line hyphenation
            s = replace(s, [0x0A], with: [0x20])
            s = replace(s, Array("&quot;".unicodeScalars.map(\.value)), with: [0x22])
            s = replace(s, Array("&amp;".unicodeScalars.map(\.value)), with: [0x26])
            s = replace(s, Array("&lt;".unicodeScalars.map(\.value)), with: [0x3C])
            s = replace(s, Array("&gt;".unicodeScalars.map(\.value)), with: [0x3E])
            s = [0x20] + s + [0x20]
            s = pad(s, where: isTokenizedPunct)
            s = replace(s, [0x27, 0x73, 0x20], with: [0x20, 0x27, 0x73, 0x20])  // "'s " -> " 's "
            // sacrebleu's `'s$` rule never fires: the text was padded with a trailing space above.
            s = splitPairs(s, isFirst: { !isDigit($0) }, isSecond: isPeriodOrComma, spaceBefore: false)
            s = splitPairs(s, isFirst: isPeriodOrComma, isSecond: { !isDigit($0) }, spaceBefore: true)
            s = splitPairs(s, isFirst: isDigit, isSecond: { $0 == 0x2D }, spaceBefore: false)
            return s
        }

        // The Hiragana/Katakana rules of `_normalize_asian` are anchored with `^` to the start of the
        // text, which normalization has already padded with a space, so they never match and are omitted.
        private static func normalizeAsian(_ s: [UInt32]) -> [UInt32] {
            pad(s, where: isAsianSplit)
        }

        /// `re.sub(literal, replacement, s)`: leftmost non-overlapping occurrences.
        private static func replace(_ s: [UInt32], _ pattern: [UInt32], with replacement: [UInt32]) -> [UInt32] {
            guard !pattern.isEmpty, s.count >= pattern.count else { return s }
            var out: [UInt32] = []
            out.reserveCapacity(s.count + 16)
            var i = 0
            while i < s.count {
                if s[i] == pattern[0] && i + pattern.count <= s.count && s[i..<(i + pattern.count)].elementsEqual(pattern) {
                    out.append(contentsOf: replacement)
                    i += pattern.count
                } else {
                    out.append(s[i])
                    i += 1
                }
            }
            return out
        }

        /// `re.sub(r"([class])", r" \1 ", s)`.
        private static func pad(_ s: [UInt32], where matches: (UInt32) -> Bool) -> [UInt32] {
            var out: [UInt32] = []
            out.reserveCapacity(s.count + s.count / 2)
            for c in s {
                if matches(c) { out.append(0x20); out.append(c); out.append(0x20) } else { out.append(c) }
            }
            return out
        }

        /// `re.sub(r"(A)(B)", r"\1 \2 ", s)` (or `r" \1 \2"` when `spaceBefore`). Matches consume both
        /// characters, so in "a.." only the first period is split off, as in Python.
        private static func splitPairs(_ s: [UInt32], isFirst: (UInt32) -> Bool, isSecond: (UInt32) -> Bool,
                                       spaceBefore: Bool) -> [UInt32] {
            var out: [UInt32] = []
            out.reserveCapacity(s.count + s.count / 2)
            var i = 0
            while i < s.count {
                if i + 1 < s.count && isFirst(s[i]) && isSecond(s[i + 1]) {
                    if spaceBefore {
                        out.append(contentsOf: [0x20, s[i], 0x20, s[i + 1]])
                    } else {
                        out.append(contentsOf: [s[i], 0x20, s[i + 1], 0x20])
                    }
                    i += 2
                } else {
                    out.append(s[i])
                    i += 1
                }
            }
            return out
        }
    }
}
