// The metrics by name, with shared options, as `lmcore-cli evaluate`, the C ABI and Python use
// them, and the score lines sacrebleu prints.

/// The metrics `evaluate` knows, by the names the CLI and the JSON output use.
public enum MetricName: String, Sendable, CaseIterable {
    case bleu, chrf
    case chrfPlusPlus = "chrf++"
    case ter, rouge1, rouge2, rougeL, rougeLsum

    /// Parses a comma-separated list ("bleu,chrf,ter"), rejecting unknown names.
    public static func list(_ text: String) throws -> [MetricName] {
        let names = text.split(separator: ",", omittingEmptySubsequences: true).map { String($0).trimmingSpaces }
        guard !names.isEmpty else {
            throw EvaluationError.unknown(kind: "metric", value: text, expected: allCases.map(\.rawValue))
        }
        return try names.map { name in
            guard let metric = MetricName(rawValue: name) else {
                throw EvaluationError.unknown(kind: "metric", value: name, expected: allCases.map(\.rawValue))
            }
            return metric
        }
    }
}

/// Options shared by the metrics (each uses the ones that apply to it).
public struct EvaluationOptions: Sendable {
    /// BLEU's tokenizer.
    public var tokenize: BLEUTokenizer = .thirteenA
    /// Lowercase before BLEU (sacrebleu's --lowercase, which applies to BLEU only).
    public var lowercase = false
    /// Lowercase before chrF and chrF++ (sacrebleu's --chrf-lowercase). TER is case-insensitive.
    public var chrfLowercase = false
    /// rouge-score's Porter stemmer.
    public var stem = false
    /// Bootstrap resamples for a 95% interval of corpus scores (0: none; sacrebleu uses 1000).
    public var bootstrapSamples = 0
    public var seed: UInt64 = 12345

    public init(tokenize: BLEUTokenizer = .thirteenA, lowercase: Bool = false, chrfLowercase: Bool = false,
                stem: Bool = false, bootstrapSamples: Int = 0, seed: UInt64 = 12345) {
        self.tokenize = tokenize
        self.lowercase = lowercase
        self.chrfLowercase = chrfLowercase
        self.stem = stem
        self.bootstrapSamples = bootstrapSamples
        self.seed = seed
    }
}

/// Metrics by name: corpus scores, sentence scores and sacrebleu-style score lines.
public enum Evaluation {
    /// The corpus-level metric for a name. BLEU here has effective order off, as sacrebleu's
    /// corpus BLEU.
    public static func metric(_ name: MetricName, _ options: EvaluationOptions = .init()) -> any CorpusMetric {
        switch name {
        case .bleu: return BLEU(tokenizer: options.tokenize, lowercase: options.lowercase)
        case .chrf: return CHRF(lowercase: options.chrfLowercase)
        case .chrfPlusPlus: return CHRF(wordOrder: 2, lowercase: options.chrfLowercase)
        case .ter: return TER()
        case .rouge1: return Rouge(type: .rouge1, useStemmer: options.stem)
        case .rouge2: return Rouge(type: .rouge2, useStemmer: options.stem)
        case .rougeL: return Rouge(type: .rougeL, useStemmer: options.stem)
        case .rougeLsum: return Rouge(type: .rougeLsum, useStemmer: options.stem)
        }
    }

    /// The sentence-level metric: BLEU with effective order on, as sacrebleu's
    /// `--sentence-level` and `sentence_bleu` use it; the others as at corpus level.
    public static func sentenceMetric(_ name: MetricName, _ options: EvaluationOptions = .init()) -> any CorpusMetric {
        if name == .bleu { return BLEU(tokenizer: options.tokenize, lowercase: options.lowercase, effectiveOrder: true) }
        return metric(name, options)
    }

    /// Corpus scores, one per metric; `references[k][i]` is reference k of hypothesis i.
    public static func corpus(hypotheses: [String], references: [[String]], metrics: [MetricName],
                              options: EvaluationOptions = .init()) throws -> [CorpusScore] {
        try metrics.map { name in
            try metric(name, options).corpusScore(hypotheses: hypotheses, references: references,
                                                  bootstrapSamples: options.bootstrapSamples, seed: options.seed)
        }
    }

    /// Sentence scores: `result[i][m]` is hypothesis i's score for `metrics[m]`.
    public static func sentences(hypotheses: [String], references: [[String]], metrics: [MetricName],
                                 options: EvaluationOptions = .init()) throws -> [[Double]] {
        guard !references.isEmpty else { throw EvaluationError.noReferences }
        for (k, stream) in references.enumerated() where stream.count != hypotheses.count {
            throw EvaluationError.lineCountMismatch(hypotheses: hypotheses.count, references: stream.count, stream: k)
        }
        let scorers = metrics.map { sentenceMetric($0, options) }
        return hypotheses.indices.map { i in
            let refs = references.map { $0[i] }
            return scorers.map { $0.sentenceScore(hypothesis: hypotheses[i], references: refs) }
        }
    }

    /// The line sacrebleu prints for a score (`Score.format(signature=...)`): name, signature,
    /// the score with two decimals, a bootstrap interval if any, and BLEU's verbose part. ROUGE
    /// lines add the mean precision and recall.
    public static func format(_ score: CorpusScore, bleu: BLEU? = nil) -> String {
        var line = "\(score.name)|\(score.signature) = \(formatFixed(score.score, digits: 2))"
        if let b = score.bootstrap {
            line += " (μ = \(formatFixed(b.mean, digits: 2)) ± \(formatFixed(b.halfWidth, digits: 2)))"
        }
        if let bleu {
            let d = bleu.details(statistics: score.statistics)
            let precisions = d.precisions.map { formatFixed($0, digits: 1) }.joined(separator: "/")
            line += " \(precisions) (BP = \(formatFixed(d.brevityPenalty, digits: 3)) ratio = \(formatFixed(d.ratio, digits: 3))"
                + " hyp_len = \(Int(d.hypothesisLength)) ref_len = \(Int(d.referenceLength)))"
        } else if score.name.hasPrefix("rouge"), score.statistics.count >= 4, score.statistics[3] > 0 {
            let n = score.statistics[3]
            line += " (P = \(formatFixed(100 * score.statistics[0] / n, digits: 2))"
                + " R = \(formatFixed(100 * score.statistics[1] / n, digits: 2)))"
        }
        return line
    }
}

extension String {
    var trimmingSpaces: String {
        String(codePoints: PythonText.strip(codePoints))
    }
}
