import Foundation

/// Tests/Fixtures/metrics/goldens.json, written by Tests/Generator/gen_metrics.py from sacrebleu
/// and rouge-score on a multilingual corpus.
struct MetricGoldens: Decodable {
    struct Options: Decodable {
        var tokenize: String?
        var lowercase: Bool?
        var smooth_method: String?
        var smooth_value: Double?
        var word_order: Int?
        var whitespace: Bool?
        var eps_smoothing: Bool?
        var normalized: Bool?
        var no_punct: Bool?
        var asian_support: Bool?
        var case_sensitive: Bool?
        var use_stemmer: Bool?
    }

    struct BLEUDetails: Decodable {
        var counts: [Double]
        var totals: [Double]
        var precisions: [Double]
        var bp: Double
        var sys_len: Double
        var ref_len: Double
    }

    struct Case: Decodable {
        var metric: String
        var options: Options
        var refs: Int
        var corpus: Double
        var signature: String?
        var sentence_signature: String?
        /// sacrebleu metrics: per-sentence sufficient statistics.
        var statistics: [[Double]]?
        /// sacrebleu metrics: [score]; ROUGE: [[precision, recall, fmeasure]].
        var sentence: SentenceScores
        var formatted: String?
        var details: BLEUDetails?
    }

    enum SentenceScores: Decodable {
        case scores([Double])
        case triples([[Double]])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode([Double].self) { self = .scores(s) } else { self = .triples(try c.decode([[Double]].self)) }
        }
    }

    var hypotheses: [String]
    var references: [[String]]
    var cases: [Case]

    func streams(_ count: Int) -> [[String]] { Array(references.prefix(count)) }

    static let shared: MetricGoldens? = {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests" && url.path != "/" { url.deleteLastPathComponent() }
        let path = url.appendingPathComponent("Fixtures/metrics/goldens.json")
        guard let data = try? Data(contentsOf: path) else { return nil }
        return try? JSONDecoder().decode(MetricGoldens.self, from: data)
    }()
}
