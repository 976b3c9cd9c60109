import ArgumentParser
import LMEvaluation

/// The metric choices shared by `evaluate` and `translate --reference`.
struct MetricFlags: ParsableArguments {
    @Option(name: .long, help: "Comma-separated metrics: bleu, chrf, chrf++, ter, rouge1, rouge2, rougeL, rougeLsum.")
    var metrics = "bleu,chrf,ter"

    @Option(name: .long, help: "BLEU tokenizer: 13a (default), intl, zh, char, none.")
    var tokenize = "13a"

    @Flag(name: .long, help: "Lowercase before BLEU (as sacrebleu --lowercase, BLEU only).")
    var lowercase = false

    @Flag(name: .customLong("chrf-lowercase"), help: "Lowercase before chrF and chrF++ (as sacrebleu --chrf-lowercase).")
    var chrfLowercase = false

    @Flag(name: .long, help: "ROUGE with rouge-score's Porter stemmer.")
    var stem = false

    @Option(name: .long, help: "Bootstrap resamples for a 95% interval of corpus scores (0: none; sacrebleu uses 1000).")
    var bootstrap = 0

    @Option(name: .customLong("bootstrap-seed"), help: "Seed of the bootstrap resampling.")
    var seed: UInt64 = 12345

    func validate() throws {
        _ = try parsed()
        guard (0...100_000).contains(bootstrap) else { throw ValidationError("--bootstrap must be 0...100000") }
    }

    /// The metric names and options, or a usage error naming the bad value.
    func parsed() throws -> ([MetricName], EvaluationOptions) {
        do {
            let names = try MetricName.list(metrics)
            guard let tokenizer = BLEUTokenizer(rawValue: tokenize) else {
                throw EvaluationError.unknown(kind: "tokenizer", value: tokenize,
                                              expected: BLEUTokenizer.allCases.map(\.rawValue))
            }
            return (names, EvaluationOptions(tokenize: tokenizer, lowercase: lowercase, chrfLowercase: chrfLowercase, stem: stem,
                                             bootstrapSamples: bootstrap, seed: seed))
        } catch let error as EvaluationError {
            throw ValidationError(error.description)
        }
    }
}
