import ArgumentParser
import Foundation
import LMCore

/// `lmcore-cli score --model DIR [--ids]`: reads `source<TAB>target` lines (ids with --ids,
/// otherwise text through the tokenizer, targets with the tokenizer's target side) and prints
/// the total log-probability of each target given its source (teacher forcing).
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Print log p(target | source) for each `source<TAB>target` stdin line.")

    @OptionGroup var modelFlags: ModelFlags

    @Flag(name: .long, help: "Lines hold space-separated ids (targets must include EOS to score it).")
    var ids = false

    @Flag(name: .long, help: "Also print the per-token log-probabilities after the total.")
    var tokens = false

    @Flag(name: .long, help: "One JSON object per line: {\"source\", \"target\", \"score\", \"token_scores\"}.")
    var json = false

    func run() throws {
        let loaded = try modelFlags.load(tokenizer: !ids)
        var number = 0
        while let line = readLine(strippingNewline: true) {
            number += 1
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 2 else { CLI.fail("line \(number): expected `source<TAB>target`") }
            let scores: [SequenceScore] = try CLI.run {
                if ids {
                    return try loaded.score(sources: [try CLI.parseIds(String(parts[0]), line: number)],
                                            targets: [try CLI.parseIds(String(parts[1]), line: number)])
                }
                return try loaded.score(sourceTexts: [String(parts[0])], targetTexts: [String(parts[1])])
            }
            if json {
                print(CLI.json(["source": String(parts[0]), "target": String(parts[1]),
                                "score": CLI.jsonNumber(scores[0].total),
                                "token_scores": scores[0].tokenLogProbs.map { CLI.jsonNumber($0) }]))
                continue
            }
            var out = String(format: "%.6f", Double(scores[0].total))
            if tokens { out += "\t" + scores[0].tokenLogProbs.map { String(format: "%.6f", Double($0)) }.joined(separator: " ") }
            print(out)
        }
    }
}
