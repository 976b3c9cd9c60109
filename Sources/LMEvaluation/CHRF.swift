// Follows sacrebleu 2.6.0 metrics/chrf.py (CHRF._compute_f_score, _remove_punctuation,
// _get_match_statistics, _compute_segment_statistics) and metrics/helpers.py
// (extract_all_char_ngrams, extract_word_ngrams).

/// chrF and chrF++ (Popović 2015, 2017) as sacrebleu computes them. Statistics are
/// [hyp, ref, match] per order: character orders 1...charOrder, then word orders 1...wordOrder.
public struct CHRF: CorpusMetric {
    /// 1...6 (sacrebleu's default is 6, the most an n-gram key packs).
    public var charOrder: Int
    /// 0 for chrF, 2 for chrF++ (at most 4).
    public var wordOrder: Int
    public var beta: Int
    public var lowercase: Bool
    /// Keep whitespace inside character n-grams.
    public var whitespace: Bool
    /// chrF++.py / NLTK / Moses epsilon smoothing instead of sacrebleu's effective order.
    public var epsSmoothing: Bool

    public init(charOrder: Int = 6, wordOrder: Int = 0, beta: Int = 2, lowercase: Bool = false,
                whitespace: Bool = false, epsSmoothing: Bool = false) {
        self.charOrder = max(1, min(charOrder, NGramKey.maxCharacters))
        self.wordOrder = max(0, min(wordOrder, NGramKey.maxWords))
        self.beta = beta
        self.lowercase = lowercase
        self.whitespace = whitespace
        self.epsSmoothing = epsSmoothing
    }

    /// chrF++: word bigrams added.
    public static var plusPlus: CHRF { CHRF(wordOrder: 2) }

    public var name: String { "chrF\(beta)" + String(repeating: "+", count: wordOrder) }

    private static let punctuation: Set<Unicode.Scalar> = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars)

    /// Words with one leading or trailing ASCII punctuation mark split off (m-popovic/chrF).
    private func wordsWithPunctuationSplit(_ line: CodePoints) -> [CodePoints] {
        var words: [CodePoints] = []
        for w in PythonText.split(line) {
            if w.count == 1 {
                words.append(w)
            } else if let last = w.last, Self.punctuation.contains(last) {
                words.append(Array(w.dropLast()))
                words.append([last])
            } else if let first = w.first, Self.punctuation.contains(first) {
                words.append([first])
                words.append(Array(w.dropFirst()))
            } else {
                words.append(w)
            }
        }
        return words
    }

    /// Bags per order: character n-grams 1...charOrder, then word n-grams 1...wordOrder.
    private func ngrams(_ text: String, _ words: inout WordInterner) -> [NGramBag] {
        var line = text.codePoints
        if lowercase { line = PythonText.lower(line) }
        var bags: [NGramBag] = []
        let chars = (whitespace ? line : line.filter { !PythonText.isSpace($0) }).map(\.value)
        chars.withUnsafeBufferPointer { p in
            for n in 1...charOrder {
                var keys: [NGramKey] = []
                if p.count >= n {
                    keys.reserveCapacity(p.count - n + 1)
                    for i in 0...(p.count - n) { keys.append(.characters(p, i, n)) }
                }
                bags.append(NGramBag(counting: &keys))
            }
        }
        if wordOrder > 0 {
            let ids = words.ids(wordsWithPunctuationSplit(line))
            ids.withUnsafeBufferPointer { p in
                for n in 1...wordOrder {
                    var keys: [NGramKey] = []
                    if p.count >= n { for i in 0...(p.count - n) { keys.append(.words(p, i, n)) } }
                    bags.append(NGramBag(counting: &keys))
                }
            }
        }
        return bags
    }

    public func statistics(hypothesis: String, references: [String]) -> [Double] {
        var words = WordInterner()
        let hyp = ngrams(hypothesis, &words)
        var best: [Double] = []
        var bestF = -1.0
        for reference in references {
            var stats: [Double] = []
            for (h, r) in zip(hyp, ngrams(reference, &words)) {
                stats += [Double(r.isEmpty ? 0 : h.total), Double(r.total), Double(h.matches(r))]
            }
            let f = fScore(stats)
            if f > bestF {
                bestF = f
                best = stats
            }
        }
        return best
    }

    public func score(statistics: [Double], sentences: Int) -> Double { fScore(statistics) }

    private func fScore(_ stats: [Double]) -> Double {
        let order = charOrder + wordOrder
        guard stats.count >= 3 * order else { return 0 }
        let eps = 1e-16
        let factor = Double(beta * beta)
        var score = 0.0, avgPrecision = 0.0, avgRecall = 0.0
        var effectiveOrder = 0
        for i in 0..<order {
            let nHyp = stats[3 * i], nRef = stats[3 * i + 1], nMatch = stats[3 * i + 2]
            let precision = nHyp > 0 ? nMatch / nHyp : eps
            let recall = nRef > 0 ? nMatch / nRef : eps
            let denominator = factor * precision + recall
            score += denominator > 0 ? (1 + factor) * precision * recall / denominator : eps
            if nHyp > 0 && nRef > 0 {
                avgPrecision += precision
                avgRecall += recall
                effectiveOrder += 1
            }
        }
        if epsSmoothing { return 100 * score / Double(order) }
        if effectiveOrder == 0 {
            avgPrecision = 0
            avgRecall = 0
        } else {
            avgPrecision /= Double(effectiveOrder)
            avgRecall /= Double(effectiveOrder)
        }
        guard avgPrecision + avgRecall != 0 else { return 0 }
        return 100 * ((1 + factor) * avgPrecision * avgRecall) / (factor * avgPrecision + avgRecall)
    }

    public func signature(references: Int) -> String {
        "nrefs:\(references)|case:\(lowercase ? "lc" : "mixed")|eff:\(epsSmoothing ? "no" : "yes")"
            + "|nc:\(charOrder)|nw:\(wordOrder)|space:\(whitespace ? "yes" : "no")|version:\(sacrebleuVersion)"
    }
}
