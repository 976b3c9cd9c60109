import LMEvaluation
import Testing

/// The by-name API the CLI, C and Python use: same numbers as the metric types, clear errors.
@Suite struct EvaluationAPITests {
    let goldens: MetricGoldens

    init() throws { goldens = try #require(MetricGoldens.shared) }

    @Test func corpusScoresByNameAreTheGoldens() throws {
        let names = try MetricName.list("bleu,chrf,chrf++,ter,rouge1,rouge2,rougeL,rougeLsum")
        let scores = try Evaluation.corpus(hypotheses: goldens.hypotheses, references: goldens.streams(1), metrics: names)
        func golden(_ metric: String, _ match: (MetricGoldens.Options) -> Bool) throws -> Double {
            try #require(goldens.cases.first { $0.metric == metric && $0.refs == 1 && match($0.options) }).corpus
        }
        let expected = [
            try golden("bleu") { $0.tokenize == "13a" && $0.lowercase == false && $0.smooth_method == nil },
            try golden("chrf") { $0.word_order == 0 && $0.lowercase == false && $0.whitespace == false && $0.eps_smoothing == false },
            try golden("chrf") { $0.word_order == 2 && $0.whitespace == false },
            try golden("ter") { $0.normalized == false && $0.no_punct == false && $0.case_sensitive == false && $0.asian_support == false },
            try golden("rouge1") { $0.use_stemmer == false },
            try golden("rouge2") { $0.use_stemmer == false },
            try golden("rougeL") { $0.use_stemmer == false },
            try golden("rougeLsum") { $0.use_stemmer == false },
        ]
        for (score, want) in zip(scores, expected) { #expect(abs(score.score - want) <= 1e-6, "\(score.name)") }
        #expect(scores.map(\.name) == ["BLEU", "chrF2", "chrF2++", "TER", "rouge1", "rouge2", "rougeL", "rougeLsum"])
    }

    @Test func sentenceBLEUUsesEffectiveOrder() throws {
        let rows = try Evaluation.sentences(hypotheses: goldens.hypotheses, references: goldens.streams(2), metrics: [.bleu])
        let c = try #require(goldens.cases.first { $0.metric == "bleu" && $0.refs == 2 && $0.options.tokenize == "13a"
            && $0.options.lowercase == false && $0.options.smooth_method == nil })
        guard case .scores(let want) = c.sentence else { Issue.record("no sentence scores"); return }
        for (row, w) in zip(rows, want) { #expect(abs(row[0] - w) <= 1e-6) }
    }

    /// Lowercasing follows CPython 3.11 (Unicode 14.0): U+A7CB, assigned in Unicode 16 with the
    /// lowercase U+0264, is unassigned to Python and stays as it is, in every metric that lowercases.
    /// Values from sacrebleu 2.6.0 on Python 3.11.7 (BLEU(lowercase=True), CHRF(lowercase=True)).
    @Test func lowercasingUsesPythonsUnicodeTables() throws {
        var options = EvaluationOptions()
        options.lowercase = true
        options.chrfLowercase = true
        let hyps = ["\u{A7CB}\u{A7CB} x y z"], refs = [["\u{0264}\u{0264} x y z"]]
        let scores = try Evaluation.corpus(hypotheses: hyps, references: refs, metrics: [.bleu, .chrf], options: options)
        #expect(abs(scores[0].score - 59.460355750136046) < 1e-9)
        #expect(abs(scores[1].score - 28.666666666666668) < 1e-9)
        let ascii = try Evaluation.corpus(hypotheses: ["AB x y z"], references: [["ab x y z"]], metrics: [.bleu],
                                          options: options)
        #expect(abs(ascii[0].score - 100) < 1e-9)
    }

    @Test func badInputIsAClearError() {
        #expect(throws: EvaluationError.lineCountMismatch(hypotheses: 2, references: 1, stream: 0)) {
            try Evaluation.corpus(hypotheses: ["a", "b"], references: [["a"]], metrics: [.bleu])
        }
        #expect(throws: EvaluationError.noReferences) {
            try Evaluation.corpus(hypotheses: ["a"], references: [], metrics: [.chrf])
        }
        #expect(throws: EvaluationError.self) { try MetricName.list("bleu,meteor") }
        #expect(throws: EvaluationError.self) { try MetricName.list(",") }
    }

    @Test func bootstrapIsSeededAndBracketsTheScore() throws {
        let metric = BLEU()
        let a = try metric.corpusScore(hypotheses: goldens.hypotheses, references: goldens.streams(1),
                                       bootstrapSamples: 200, seed: 7)
        let b = try metric.corpusScore(hypotheses: goldens.hypotheses, references: goldens.streams(1),
                                       bootstrapSamples: 200, seed: 7)
        let interval = try #require(a.bootstrap)
        #expect(interval.mean == b.bootstrap?.mean && interval.halfWidth == b.bootstrap?.halfWidth)
        #expect(interval.halfWidth > 0 && abs(interval.mean - a.score) < 3 * interval.halfWidth)
        #expect(a.signature.hasPrefix("nrefs:1|bs:200|seed:7|case:mixed"))
    }

    @Test func emptyAndWhitespaceLinesScore() throws {
        // sacrebleu: an empty hypothesis has no n-grams (BLEU 0, TER = reference length).
        let scores = try Evaluation.corpus(hypotheses: ["", "  "], references: [["a b", ""]], metrics: [.bleu, .chrf, .ter])
        #expect(scores[0].score == 0)
        #expect(scores[1].score == 0)
        #expect(abs(scores[2].score - 100) < 1e-9)
    }
}
