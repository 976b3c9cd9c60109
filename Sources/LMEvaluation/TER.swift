// Follows sacrebleu 2.6.0 metrics/ter.py, metrics/lib_ter.py and tokenizers/tokenizer_ter.py (itself a
// port of tercom 0.7.25). The tokenizer is in TERTokenizer.swift, the shift search in TERShifts.swift.

/// Translation Edit Rate as sacrebleu computes it.
///
/// Edits are insertions, deletions, substitutions and shifts of word blocks, found with sacrebleu's
/// greedy shift search and beam-limited edit distance, so scores equal sacrebleu's (not always
/// tercom's) on every input.
public struct TER: Sendable {
    /// Tercom normalization: XML unescaping and tokenization of punctuation (and, with `asianSupport`,
    /// splitting CJK characters apart).
    public var normalized: Bool
    /// Remove punctuation (with `asianSupport`, also CJK and full-width punctuation).
    public var noPunct: Bool
    /// Treat CJK text specially; only has an effect together with `normalized` or `noPunct`.
    public var asianSupport: Bool
    /// Keep case; by default text is lowercased (Python `str.lower()`).
    public var caseSensitive: Bool

    public init(normalized: Bool = false, noPunct: Bool = false, asianSupport: Bool = false, caseSensitive: Bool = false) {
        self.normalized = normalized
        self.noPunct = noPunct
        self.asianSupport = asianSupport
        self.caseSensitive = caseSensitive
    }

    /// Sufficient statistics of one hypothesis: [number of edits (best over references), average reference length in words].
    ///
    /// With no references at all (which sacrebleu rejects), the hypothesis is scored against one empty
    /// reference: every hypothesis word is an edit and the reference length is 0.
    public func statistics(hypothesis: String, references: [String]) -> [Double] {
        let tokenizer = Tokenizer(normalized: normalized, noPunct: noPunct, asianSupport: asianSupport,
                                  caseSensitive: caseSensitive)
        // Words are compared as code point sequences, as Python compares `str`.
        var vocabulary: [[UInt32]: Int] = [:]
        func ids(_ words: [[UInt32]]) -> [Int] {
            words.map { word in
                if let id = vocabulary[word] { return id }
                let id = vocabulary.count
                vocabulary[word] = id
                return id
            }
        }
        let hypothesisWords = ids(PythonText.split(tokenizer.preprocess(Self.codePoints(hypothesis))))
        if references.isEmpty { return [Double(hypothesisWords.count), 0] }

        var bestEdits = Int.max
        var totalLength = 0
        for reference in references {
            // sacrebleu preprocesses references twice (once when caching them, again when extracting
            // their words); normalization is not idempotent, so neither is this.
            let once = tokenizer.preprocess(Self.codePoints(reference))
            let referenceWords = ids(PythonText.split(tokenizer.preprocess(once)))
            let (edits, length) = EditRate.compute(hypothesis: hypothesisWords, reference: referenceWords)
            totalLength += length
            bestEdits = min(bestEdits, edits)
        }
        return [Double(bestEdits), Double(totalLength) / Double(references.count)]
    }

    /// TER on sacrebleu's 0-100 scale from summed statistics (the corpus score sums every sentence's statistics first).
    ///
    /// An empty reference side scores 100 when there are edits and 0 when both sides are empty.
    /// Missing entries count as 0.
    public func score(statistics: [Double]) -> Double {
        let edits = statistics.first ?? 0
        let referenceLength = statistics.count > 1 ? statistics[1] : 0
        if referenceLength > 0 { return 100 * (edits / referenceLength) }
        return edits > 0 ? 100 : 0
    }

    /// sacrebleu's signature string for these options, e.g. "nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.6.0"
    ///
    /// A negative `references` stands for a varying number of references per segment ("nrefs:var").
    public func signature(references: Int) -> String {
        func yesNo(_ flag: Bool) -> String { flag ? "yes" : "no" }
        let nrefs = references < 0 ? "var" : String(references)
        return "nrefs:\(nrefs)|case:\(caseSensitive ? "mixed" : "lc")|tok:tercom|norm:\(yesNo(normalized))"
            + "|punct:\(yesNo(!noPunct))|asian:\(yesNo(asianSupport))|version:2.6.0"
    }

    private static func codePoints(_ text: String) -> [UInt32] {
        text.unicodeScalars.map(\.value)
    }
}
