// The shape every metric here shares, as sacrebleu's Metric base class defines it: each
// hypothesis (with its references) reduces to a vector of sufficient statistics; a corpus score
// is the metric of the element-wise sum, a sentence score the metric of one vector, and
// bootstrap resampling re-sums sampled vectors.

/// A metric computed from summable per-sentence statistics.
public protocol CorpusMetric: Sendable {
    /// The name the reference tools print ("BLEU", "chrF2", "chrF2++", "TER", "rouge1", ...).
    var name: String { get }
    /// Sufficient statistics of one hypothesis against its references (at least one).
    func statistics(hypothesis: String, references: [String]) -> [Double]
    /// The score (0-100 scale) of summed statistics; `sentences` is how many were summed.
    func score(statistics: [Double], sentences: Int) -> Double
    /// The reproducibility signature sacrebleu prints ("nrefs:1|case:mixed|...|version:2.6.0").
    func signature(references: Int) -> String
}

/// sacrebleu's version the metrics follow, as it appears in signatures.
public let sacrebleuVersion = "2.6.0"

/// Errors of evaluation input.
public enum EvaluationError: Error, Equatable, CustomStringConvertible {
    /// A reference stream does not have one line per hypothesis.
    case lineCountMismatch(hypotheses: Int, references: Int, stream: Int)
    /// No reference stream was given.
    case noReferences
    /// An unknown metric, tokenizer or option value.
    case unknown(kind: String, value: String, expected: [String])
    /// A numeric option outside its range.
    case invalidOption(String)

    public var description: String {
        switch self {
        case let .lineCountMismatch(h, r, k):
            return "reference \(k + 1) has \(r) lines but there are \(h) hypotheses: line counts must match"
        case .noReferences:
            return "at least one reference is needed"
        case let .unknown(kind, value, expected):
            return "unknown \(kind) '\(value)' (expected one of: \(expected.joined(separator: ", ")))"
        case let .invalidOption(message):
            return message
        }
    }
}

/// A corpus score with its per-sentence statistics and, when asked for, a bootstrap interval.
public struct CorpusScore: Sendable {
    public var name: String
    /// On the reference tool's 0-100 scale.
    public var score: Double
    public var signature: String
    /// Summed sufficient statistics.
    public var statistics: [Double]
    /// Bootstrap mean and half-width of the 95% interval (sacrebleu's "μ = m ± ci").
    public var bootstrap: (mean: Double, halfWidth: Double, samples: Int, seed: UInt64)?
}

extension CorpusMetric {
    /// Per-sentence statistics; `references[k][i]` is the k-th reference of hypothesis i
    /// (sacrebleu's layout: one stream per reference set).
    public func sentenceStatistics(hypotheses: [String], references: [[String]]) throws -> [[Double]] {
        guard !references.isEmpty else { throw EvaluationError.noReferences }
        for (k, stream) in references.enumerated() where stream.count != hypotheses.count {
            throw EvaluationError.lineCountMismatch(hypotheses: hypotheses.count, references: stream.count, stream: k)
        }
        return hypotheses.indices.map { i in statistics(hypothesis: hypotheses[i], references: references.map { $0[i] }) }
    }

    /// The corpus score: the metric of the summed statistics (sacrebleu's `corpus_score`).
    public func corpusScore(hypotheses: [String], references: [[String]],
                            bootstrapSamples: Int = 0, seed: UInt64 = 12345) throws -> CorpusScore {
        let perSentence = try sentenceStatistics(hypotheses: hypotheses, references: references)
        let total = Self.sum(perSentence)
        var result = CorpusScore(name: name, score: score(statistics: total, sentences: perSentence.count),
                                 signature: signature(references: references.count), statistics: total)
        if bootstrapSamples > 1 && !perSentence.isEmpty {
            result.bootstrap = bootstrap(perSentence, samples: bootstrapSamples, seed: seed)
            // sacrebleu lists the resampling right after nrefs.
            let nrefs = "nrefs:\(references.count)|"
            result.signature = result.signature.replacingFirst(nrefs, with: nrefs + "bs:\(bootstrapSamples)|seed:\(seed)|")
        }
        return result
    }

    /// One hypothesis against its references (sacrebleu's `sentence_score`).
    public func sentenceScore(hypothesis: String, references: [String]) -> Double {
        score(statistics: statistics(hypothesis: hypothesis, references: references), sentences: 1)
    }

    static func sum(_ rows: [[Double]]) -> [Double] {
        guard var total = rows.first else { return [] }
        for row in rows.dropFirst() {
            for j in 0..<min(total.count, row.count) { total[j] += row[j] }
        }
        return total
    }

    /// Paired bootstrap resampling as sacrebleu's `_bootstrap_resample`: `samples` corpora of the
    /// same size drawn with replacement; the interval is half the distance between the 2.5% and
    /// 97.5% order statistics (index n/40 from each end). The draws come from SplitMix64 with the
    /// given seed, not numpy's generator, so intervals are reproducible here but not sample for
    /// sample identical to sacrebleu's.
    func bootstrap(_ perSentence: [[Double]], samples: Int, seed: UInt64)
        -> (mean: Double, halfWidth: Double, samples: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let n = perSentence.count
        let width = perSentence[0].count
        var scores: [Double] = []
        scores.reserveCapacity(samples)
        for _ in 0..<samples {
            var total = [Double](repeating: 0, count: width)
            for _ in 0..<n {
                let row = perSentence[Int(rng.next() % UInt64(n))]
                for j in 0..<min(width, row.count) { total[j] += row[j] }
            }
            scores.append(score(statistics: total, sentences: n))
        }
        scores.sort()
        let lower = samples / 40
        let upper = samples - lower - 1
        let mean = scores.reduce(0, +) / Double(samples)
        return (mean, 0.5 * (scores[upper] - scores[lower]), samples, seed)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small, well-mixed seeded generator for resampling.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        let chars = Array(self), t = Array(target)
        guard !t.isEmpty, chars.count >= t.count else { return self }
        for i in 0...(chars.count - t.count) where Array(chars[i..<(i + t.count)]) == t {
            return String(chars[..<i]) + replacement + String(chars[(i + t.count)...])
        }
        return self
    }
}
