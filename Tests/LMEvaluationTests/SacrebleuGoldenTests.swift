import LMEvaluation
import Testing

/// BLEU and chrF against sacrebleu 2.6.0 (Tests/Generator/gen_metrics.py): per-sentence
/// statistics exact, corpus and sentence scores within 1e-6, signatures and sacrebleu's printed
/// score line identical.
@Suite struct SacrebleuGoldenTests {
    let goldens: MetricGoldens

    init() throws { goldens = try #require(MetricGoldens.shared, "Tests/Fixtures/metrics/goldens.json") }

    static func bleu(_ o: MetricGoldens.Options, effectiveOrder: Bool = false) throws -> BLEU {
        BLEU(tokenizer: try #require(BLEUTokenizer(rawValue: o.tokenize ?? "13a")), lowercase: o.lowercase ?? false,
             smoothing: try #require(BLEUSmoothing(rawValue: o.smooth_method ?? "exp")), smoothValue: o.smooth_value,
             effectiveOrder: effectiveOrder)
    }

    static func chrf(_ o: MetricGoldens.Options) -> CHRF {
        CHRF(wordOrder: o.word_order ?? 0, lowercase: o.lowercase ?? false, whitespace: o.whitespace ?? false,
             epsSmoothing: o.eps_smoothing ?? false)
    }

    func check(_ metric: some CorpusMetric, sentenceMetric: some CorpusMetric, _ c: MetricGoldens.Case) throws {
        let streams = goldens.streams(c.refs)
        let label = "\(c.metric) \(c.options) refs \(c.refs)"
        let stats = try metric.sentenceStatistics(hypotheses: goldens.hypotheses, references: streams)
        let expected = try #require(c.statistics)
        var wrong = 0
        for (i, (got, want)) in zip(stats, expected).enumerated() where got != want {
            wrong += 1
            if wrong <= 3 { Issue.record("\(label) line \(i) \(goldens.hypotheses[i].debugDescription): \(got) != \(want)") }
        }
        #expect(wrong == 0, "\(label): \(wrong) lines with other statistics")
        let corpus = try metric.corpusScore(hypotheses: goldens.hypotheses, references: streams)
        #expect(abs(corpus.score - c.corpus) <= 1e-6, "\(label): corpus \(corpus.score) != \(c.corpus)")
        #expect(corpus.signature == c.signature, "\(label)")
        guard case .scores(let sentence) = c.sentence else { Issue.record("\(label): no sentence scores"); return }
        for (i, want) in sentence.enumerated() {
            let got = sentenceMetric.sentenceScore(hypothesis: goldens.hypotheses[i], references: streams.map { $0[i] })
            #expect(abs(got - want) <= 1e-6, "\(label) sentence \(i): \(got) != \(want)")
        }
    }

    @Test func bleuMatchesSacrebleu() throws {
        let cases = goldens.cases.filter { $0.metric == "bleu" }
        #expect(cases.count == 30)
        for c in cases {
            let metric = try Self.bleu(c.options)
            try check(metric, sentenceMetric: try Self.bleu(c.options, effectiveOrder: true), c)
            let corpus = try metric.corpusScore(hypotheses: goldens.hypotheses, references: goldens.streams(c.refs))
            let d = metric.details(statistics: corpus.statistics)
            let want = try #require(c.details)
            #expect(d.counts == want.counts && d.totals == want.totals)
            #expect(zip(d.precisions, want.precisions).allSatisfy { abs($0 - $1) <= 1e-9 })
            #expect(abs(d.brevityPenalty - want.bp) <= 1e-12)
            #expect(d.hypothesisLength == want.sys_len && d.referenceLength == want.ref_len)
            #expect(Evaluation.format(corpus, bleu: metric) == c.formatted)
            #expect(try Self.bleu(c.options, effectiveOrder: true).signature(references: c.refs) == c.sentence_signature)
        }
    }

    @Test func chrfMatchesSacrebleu() throws {
        let cases = goldens.cases.filter { $0.metric == "chrf" }
        #expect(cases.count == 10)
        for c in cases {
            let metric = Self.chrf(c.options)
            try check(metric, sentenceMetric: metric, c)
            let corpus = try metric.corpusScore(hypotheses: goldens.hypotheses, references: goldens.streams(c.refs))
            #expect(Evaluation.format(corpus) == c.formatted)
        }
    }
}
