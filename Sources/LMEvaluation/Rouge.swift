// Follows rouge-score 0.1.2 rouge_scorer.py (RougeScorer.score and score_multi, _create_ngrams,
// _score_ngrams, _score_lcs) and scoring.py (Score, fmeasure), with the default tokenizer and
// split_summaries=False. The tokenizer is in RougeTokenizer.swift, ROUGE-Lsum in RougeLCS.swift.

/// A rouge-score type.
public enum RougeType: String, Sendable, CaseIterable {
    /// Unigram overlap.
    case rouge1
    /// Bigram overlap.
    case rouge2
    /// Longest common subsequence of the whole texts (newlines are ordinary separators).
    case rougeL
    /// Summary-level union LCS over sentences split on "\n".
    case rougeLsum
}

/// Precision, recall and F-measure (0-1), as rouge_score.scoring.Score.
public struct RougeScore: Sendable, Equatable {
    /// Matches relative to the hypothesis (rouge-score's prediction).
    public var precision: Double
    /// Matches relative to the reference (rouge-score's target).
    public var recall: Double
    /// Harmonic mean of precision and recall; 0 when both are 0.
    public var fmeasure: Double

    public init(precision: Double, recall: Double, fmeasure: Double) {
        self.precision = precision
        self.recall = recall
        self.fmeasure = fmeasure
    }

    static let zero = RougeScore(precision: 0, recall: 0, fmeasure: 0)
}

/// ROUGE as Google's rouge-score computes it.
public struct Rouge: Sendable {
    public var type: RougeType
    /// Porter-stem tokens longer than 3 characters (rouge-score's `use_stemmer`).
    public var useStemmer: Bool

    public init(type: RougeType, useStemmer: Bool = false) {
        self.type = type
        self.useStemmer = useStemmer
    }

    /// rouge-score's RougeScorer.score (one reference) / score_multi (several: the best by F-measure).
    ///
    /// With several references the score is that of the first reference with the highest
    /// F-measure (precision and recall come from that same reference). With no reference the
    /// score is zero (rouge-score's score_multi raises there).
    public func score(hypothesis: String, references: [String]) -> RougeScore {
        var vocabulary = Vocabulary(useStemmer: useStemmer)
        var best: RougeScore? = nil
        switch type {
        case .rouge1, .rouge2, .rougeL:
            let prediction = vocabulary.tokenize(Substring(hypothesis).unicodeScalars)
            let n = type == .rouge2 ? 2 : 1
            let predictionNgrams = type == .rougeL ? [:] : Self.ngrams(prediction, n)
            for reference in references {
                let target = vocabulary.tokenize(Substring(reference).unicodeScalars)
                let s = type == .rougeL
                    ? Self.scoreLCS(target: target, prediction: prediction)
                    : Self.scoreNgrams(target: Self.ngrams(target, n), prediction: predictionNgrams)
                // np.argmax keeps the first maximum.
                if best.map({ s.fmeasure > $0.fmeasure }) ?? true { best = s }
            }
        case .rougeLsum:
            let prediction = vocabulary.sentences(hypothesis)
            for reference in references {
                let s = Self.summaryLevelLCS(reference: vocabulary.sentences(reference), candidate: prediction)
                if best.map({ s.fmeasure > $0.fmeasure }) ?? true { best = s }
            }
        }
        return best ?? .zero
    }

    /// Sufficient statistics for corpus aggregation: [precision, recall, fmeasure, 1]; the corpus score is the mean of per-sentence values.
    public func statistics(hypothesis: String, references: [String]) -> [Double] {
        let s = score(hypothesis: hypothesis, references: references)
        return [s.precision, s.recall, s.fmeasure, 1]
    }

    /// Mean F-measure x 100 from summed statistics.
    ///
    /// Returns 0 when there are fewer than four values or the count (the fourth) is not positive.
    public func score(statistics: [Double]) -> Double {
        guard statistics.count >= 4, statistics[3] > 0 else { return 0 }
        return statistics[2] / statistics[3] * 100
    }

    // MARK: scoring.py

    /// scoring.fmeasure.
    static func fmeasure(_ precision: Double, _ recall: Double) -> Double {
        precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
    }

    // MARK: n-grams

    private static func ngrams(_ tokens: [Int], _ n: Int) -> [[Int]: Int] {
        var counts: [[Int]: Int] = [:]
        guard tokens.count >= n else { return counts }
        for start in 0...(tokens.count - n) {
            counts[Array(tokens[start..<(start + n)]), default: 0] += 1
        }
        return counts
    }

    /// _score_ngrams: clipped overlap; empty sides divide by 1, giving 0.
    private static func scoreNgrams(target: [[Int]: Int], prediction: [[Int]: Int]) -> RougeScore {
        var intersection = 0
        for (ngram, count) in target { intersection += min(count, prediction[ngram] ?? 0) }
        let targetCount = target.values.reduce(0, +)
        let predictionCount = prediction.values.reduce(0, +)
        let precision = Double(intersection) / Double(max(predictionCount, 1))
        let recall = Double(intersection) / Double(max(targetCount, 1))
        return RougeScore(precision: precision, recall: recall, fmeasure: fmeasure(precision, recall))
    }

    // MARK: LCS

    /// _score_lcs. rouge-score fills the whole table; only its last cell is used, so two rows of
    /// the shorter length give the same number.
    private static func scoreLCS(target: [Int], prediction: [Int]) -> RougeScore {
        guard !target.isEmpty, !prediction.isEmpty else { return .zero }
        let (long, short) = target.count >= prediction.count ? (target, prediction) : (prediction, target)
        var previous = [Int](repeating: 0, count: short.count + 1)
        var current = previous
        for x in long {
            for j in 1...short.count {
                current[j] = x == short[j - 1] ? previous[j - 1] + 1 : max(previous[j], current[j - 1])
            }
            swap(&previous, &current)
        }
        let length = Double(previous[short.count])
        let precision = length / Double(prediction.count)
        let recall = length / Double(target.count)
        return RougeScore(precision: precision, recall: recall, fmeasure: fmeasure(precision, recall))
    }
}
