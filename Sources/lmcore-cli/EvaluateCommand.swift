import ArgumentParser
import Foundation
import LMCore
import LMEvaluation

/// `lmcore-cli evaluate --reference REF.txt [--reference REF2.txt ...] [--metrics ...]`: scores
/// hypotheses (stdin, one per line) against reference files with sacrebleu's BLEU, chrF, chrF++
/// and TER and rouge-score's ROUGE.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score hypotheses (stdin, one per line) against references: BLEU, chrF, chrF++, TER, ROUGE.",
        discussion: """
            Scores are those of sacrebleu 2.6.0 (BLEU, chrF, chrF++, TER) and rouge-score 0.1.2 (ROUGE-1, \
            ROUGE-2, ROUGE-L, ROUGE-Lsum with sentences split on newlines; the corpus ROUGE is the mean of the \
            sentence F-measures), on their 0-100 scale. Plain output prints one line per metric as sacrebleu \
            does; --json prints one object {metric: corpus score, ..., "signatures": {metric: signature}}. \
            --sentence prints one line (or JSON object) per hypothesis instead; sentence BLEU uses effective \
            order, as sacrebleu's sentence_bleu.
            """)

    @Option(name: [.customShort("r"), .long], help: "Reference file, one line per hypothesis (repeat for several).")
    var reference: [String] = []

    @OptionGroup var metricFlags: MetricFlags

    @Flag(name: .long, help: "Sentence-level scores, one line per hypothesis.")
    var sentence = false

    @Flag(name: .long, help: "JSON output.")
    var json = false

    func validate() throws {
        guard !reference.isEmpty else { throw ValidationError("at least one --reference file is needed") }
    }

    func run() throws {
        let (names, options) = try metricFlags.parsed()
        let references = try CLI.run { try reference.map { try CLI.readLines(path: $0) } }
        let hypotheses = try CLI.run { try CLI.readLines(path: nil) }
        for (k, stream) in references.enumerated() where stream.count != hypotheses.count {
            CLI.fail("\(reference[k]): \(stream.count) lines, but stdin has \(hypotheses.count) hypotheses: "
                + "line counts must match")
        }
        guard !hypotheses.isEmpty else { CLI.fail("no hypotheses on stdin") }
        if sentence {
            let rows = try CLI.run { try Evaluation.sentences(hypotheses: hypotheses, references: references,
                                                              metrics: names, options: options) }
            for row in rows {
                if json {
                    print(CLI.jsonObject(Dictionary(uniqueKeysWithValues: zip(names.map(\.rawValue), row))))
                } else {
                    print(zip(names, row).map { "\($0.rawValue) = \(formatFixed($1, digits: 2))" }.joined(separator: "\t"))
                }
            }
            return
        }
        let scores = try CLI.run { try Evaluation.corpus(hypotheses: hypotheses, references: references,
                                                         metrics: names, options: options) }
        if json {
            print(CLI.evaluationJSON(names: names, scores: scores))
        } else {
            for line in CLI.evaluationLines(names: names, scores: scores, options: options) { print(line) }
        }
    }
}

extension CLI {
    /// sacrebleu-style score lines, one per metric.
    static func evaluationLines(names: [MetricName], scores: [CorpusScore], options: EvaluationOptions) -> [String] {
        zip(names, scores).map { name, score in
            Evaluation.format(score, bleu: name == .bleu ? Evaluation.metric(.bleu, options) as? BLEU : nil)
        }
    }

    /// {metric: corpus score, ..., "signatures": {metric: signature}} (bootstrap intervals under
    /// "bootstrap" when asked for).
    static func evaluationJSON(names: [MetricName], scores: [CorpusScore]) -> String {
        var object: [String: Any] = [:]
        var signatures: [String: String] = [:]
        var intervals: [String: Any] = [:]
        for (name, score) in zip(names, scores) {
            object[name.rawValue] = score.score
            signatures[name.rawValue] = score.signature
            if let b = score.bootstrap {
                intervals[name.rawValue] = ["mean": b.mean, "ci95_half_width": b.halfWidth, "samples": b.samples,
                                            "seed": b.seed]
            }
        }
        object["signatures"] = signatures
        if !intervals.isEmpty { object["bootstrap"] = intervals }
        return jsonObject(object)
    }

    static func jsonObject(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
