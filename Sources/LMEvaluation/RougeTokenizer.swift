// Follows rouge-score 0.1.2 tokenize.py and tokenizers.py (DefaultTokenizer): lowercase, every run
// of characters outside [a-z0-9] becomes a separator, tokens longer than 3 characters are stemmed
// when asked, and only non-empty [a-z0-9] tokens are kept.

extension Rouge {
    /// Tokens of one call, interned as integers so that n-gram counts and LCS compare integers.
    /// Hypothesis and references share one vocabulary so equal tokens get equal ids.
    struct Vocabulary {
        private var ids: [String: Int] = [:]
        /// Raw token -> id after stemming, so each distinct word is stemmed once.
        private var rawIDs: [String: Int] = [:]
        private let stemmer: PorterStemmer?

        init(useStemmer: Bool) { stemmer = useStemmer ? PorterStemmer() : nil }

        /// rouge-score's `tokenize(text, stemmer)`.
        mutating func tokenize(_ text: Substring.UnicodeScalarView) -> [Int] {
            var tokens: [Int] = []
            var current: [UInt8] = []
            for scalar in text {
                switch scalar.value {
                case 0x61...0x7A, 0x30...0x39:
                    current.append(UInt8(truncatingIfNeeded: scalar.value))
                case 0x41...0x5A:
                    current.append(UInt8(truncatingIfNeeded: scalar.value + 32))
                case 0x130:
                    // Python lowers 'İ' to "i" + U+0307, and the combining dot then separates.
                    current.append(0x69)
                    flush(&current, into: &tokens)
                case 0x212A:
                    // The Kelvin sign lowers to ASCII 'k'. No other code point's Python
                    // lowercase contains [a-z0-9] (checked over all of Unicode 14, CPython 3.11).
                    current.append(0x6B)
                default:
                    flush(&current, into: &tokens)
                }
            }
            flush(&current, into: &tokens)
            return tokens
        }

        private mutating func flush(_ current: inout [UInt8], into tokens: inout [Int]) {
            guard !current.isEmpty else { return }
            let raw = String(decoding: current, as: UTF8.self)
            current.removeAll(keepingCapacity: true)
            if let id = rawIDs[raw] {
                tokens.append(id)
                return
            }
            // rouge-score stems only tokens longer than 3 characters.
            let word = raw.utf8.count > 3 ? (stemmer?.stem(raw) ?? raw) : raw
            // tokenize.py's final VALID_TOKEN_RE filter; the stemmer keeps [a-z0-9] words
            // non-empty, so this never drops a word, but it is what the reference checks.
            let valid = !word.isEmpty && word.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
            guard valid else { return }
            let id: Int
            if let known = ids[word] {
                id = known
            } else {
                id = ids.count
                ids[word] = id
            }
            rawIDs[raw] = id
            tokens.append(id)
        }

        /// rougeLsum's sentences: the text split on "\n" only (not "\r\n" as one unit, as Swift's
        /// Character would), empty lines dropped, each tokenized; lines without tokens stay.
        mutating func sentences(_ text: String) -> [[Int]] {
            let scalars = Substring(text).unicodeScalars
            var result: [[Int]] = []
            var start = scalars.startIndex
            var index = start
            while index < scalars.endIndex {
                if scalars[index] == "\n" {
                    if start < index { result.append(tokenize(scalars[start..<index])) }
                    start = scalars.index(after: index)
                }
                index = scalars.index(after: index)
            }
            if start < scalars.endIndex { result.append(tokenize(scalars[start..<scalars.endIndex])) }
            return result
        }
    }
}
