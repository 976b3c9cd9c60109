import LMEvaluation
import Testing

/// TER against sacrebleu 2.6.0 and ROUGE against rouge-score 0.1.2 (Tests/Generator/gen_metrics.py).
@Suite struct TERRougeGoldenTests {
    let goldens: MetricGoldens

    init() throws { goldens = try #require(MetricGoldens.shared, "Tests/Fixtures/metrics/goldens.json") }

    @Test func terMatchesSacrebleu() throws {
        let cases = goldens.cases.filter { $0.metric == "ter" }
        #expect(cases.count == 10)
        for c in cases {
            let o = c.options
            let metric = TER(normalized: o.normalized ?? false, noPunct: o.no_punct ?? false,
                             asianSupport: o.asian_support ?? false, caseSensitive: o.case_sensitive ?? false)
            let streams = goldens.streams(c.refs)
            let label = "ter \(o) refs \(c.refs)"
            let stats = try metric.sentenceStatistics(hypotheses: goldens.hypotheses, references: streams)
            let expected = try #require(c.statistics)
            for (i, (got, want)) in zip(stats, expected).enumerated() {
                #expect(got.count == want.count && zip(got, want).allSatisfy { abs($0 - $1) <= 1e-9 },
                        "\(label) line \(i): \(got) != \(want)")
            }
            let corpus = try metric.corpusScore(hypotheses: goldens.hypotheses, references: streams)
            #expect(abs(corpus.score - c.corpus) <= 1e-6, "\(label): \(corpus.score) != \(c.corpus)")
            #expect(corpus.signature == c.signature)
            #expect(Evaluation.format(corpus) == c.formatted)
            guard case .scores(let sentence) = c.sentence else { Issue.record("no sentence scores"); continue }
            for (i, want) in sentence.enumerated() {
                let got = metric.sentenceScore(hypothesis: goldens.hypotheses[i], references: streams.map { $0[i] })
                #expect(abs(got - want) <= 1e-6, "\(label) sentence \(i): \(got) != \(want)")
            }
        }
    }

    @Test func rougeMatchesRougeScore() throws {
        let cases = goldens.cases.filter { $0.metric.hasPrefix("rouge") }
        #expect(cases.count == 16)
        for c in cases {
            let type = try #require(RougeType(rawValue: c.metric))
            let metric = Rouge(type: type, useStemmer: c.options.use_stemmer ?? false)
            let streams = goldens.streams(c.refs)
            let label = "\(c.metric) stem \(metric.useStemmer) refs \(c.refs)"
            guard case .triples(let sentence) = c.sentence else { Issue.record("no sentence scores"); continue }
            for (i, want) in sentence.enumerated() {
                let got = metric.score(hypothesis: goldens.hypotheses[i], references: streams.map { $0[i] })
                #expect(abs(got.precision - want[0]) <= 1e-12 && abs(got.recall - want[1]) <= 1e-12
                        && abs(got.fmeasure - want[2]) <= 1e-12, "\(label) line \(i): \(got) != \(want)")
            }
            let corpus = try metric.corpusScore(hypotheses: goldens.hypotheses, references: streams)
            #expect(abs(corpus.score - c.corpus) <= 1e-9, "\(label): corpus \(corpus.score) != \(c.corpus)")
        }
    }

    @Test func porterStemmerMatchesNLTKOnKnownWords() {
        // From NLTK 3.10.4's PorterStemmer (NLTK_EXTENSIONS), as rouge-score builds it.
        let pairs = [("caresses", "caress"), ("ponies", "poni"), ("relational", "relat"), ("generously", "gener"),
                     ("running", "run"), ("dying", "die"), ("sky", "sky"), ("hopefulness", "hope"),
                     ("conditional", "condit"), ("organized", "organ"), ("marathons", "marathon")]
        let stemmer = PorterStemmer()
        for (word, stem) in pairs { #expect(stemmer.stem(word) == stem, "\(word)") }
    }
}
