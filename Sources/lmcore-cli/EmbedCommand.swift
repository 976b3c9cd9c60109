import ArgumentParser
import Foundation
import LMCore

/// `lmcore-cli embed --model DIR [--ids] [--tokens]`: the encoder's mean-pooled sentence vector
/// of each stdin line (space-separated floats), or with --tokens one line per token state.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print the encoder's sentence vector (mean of token states) of each stdin line.")

    @OptionGroup var modelFlags: ModelFlags

    @Flag(name: .long, help: "Lines hold space-separated source ids instead of text.")
    var ids = false

    @Flag(name: .long, help: "Print every token's state (one line each, then an empty line) instead of the mean.")
    var tokens = false

    @Flag(name: .long, help: "One JSON object per line: {\"input\", \"vector\"} (with --tokens, \"states\": one list per token).")
    var json = false

    func run() throws {
        let loaded = try modelFlags.load(tokenizer: !ids)
        var number = 0
        while let line = readLine(strippingNewline: true) {
            number += 1
            let result = try CLI.run {
                ids ? try loaded.embed([try CLI.parseIds(line, line: number)]) : try loaded.embed(texts: [line])
            }
            func format(_ v: ArraySlice<Float>) -> String { v.map { String(format: "%.6g", Double($0)) }.joined(separator: " ") }
            if json {
                let d = max(1, result.dModel)
                var object: [String: Any] = ["input": line]
                if tokens {
                    let states = result.tokenStates[0]
                    object["states"] = (0..<(states.count / d)).map { t in states[(t * d)..<((t + 1) * d)].map(Double.init) }
                } else {
                    object["vector"] = result.sentenceVectors[0].map(Double.init)
                }
                print(CLI.json(object))
                continue
            }
            if tokens {
                let d = result.dModel, states = result.tokenStates[0]
                for t in 0..<(states.count / max(1, d)) { print(format(states[(t * d)..<((t + 1) * d)])) }
                print("")
            } else {
                print(format(result.sentenceVectors[0][...]))
            }
        }
    }
}
