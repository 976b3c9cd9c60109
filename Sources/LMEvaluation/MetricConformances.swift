// TER and ROUGE as CorpusMetrics: their statistics already sum (TER: edits and reference
// length; ROUGE: precision, recall, F and a count whose sums give the means).

extension TER: CorpusMetric {
    public var name: String { "TER" }
    public func score(statistics: [Double], sentences: Int) -> Double { score(statistics: statistics) }
}

extension Rouge: CorpusMetric {
    public var name: String { type.rawValue }
    public func score(statistics: [Double], sentences: Int) -> Double { score(statistics: statistics) }

    /// rouge-score prints no signature; this one names what changes its numbers.
    public func signature(references: Int) -> String {
        "nrefs:\(references)|stem:\(useStemmer ? "yes" : "no")|agg:mean_f|version:rouge-score-0.1.2"
    }
}
