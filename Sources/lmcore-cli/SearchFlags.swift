import ArgumentParser
import Foundation
import LMCore

/// The search options shared by `generate` and `translate` (transformers' generate names).
struct SearchFlags: ParsableArguments {
    @Option(name: .long, help: "Maximum number of new tokens (default: the model's generation_config).")
    var maxNewTokens: Int?

    @Option(name: .long, help: "Minimum number of new tokens before EOS may end a sequence.")
    var minNewTokens: Int?

    @Option(name: .long, help: "Beam size (num_beams); 1 is greedy.")
    var beams: Int?

    @Option(name: .long, help: "Hypotheses to print per input, best first (num_return_sequences).")
    var numReturn: Int?

    @Option(name: .long, help: "Beam scores are divided by length^X.")
    var lengthPenalty: Double?

    @Option(name: .long, help: "Beam stopping rule: true, false or never.")
    var earlyStopping: String?

    @Option(name: .long, help: "Block repeating n-grams of this size.")
    var noRepeatNgram: Int?

    @Option(name: .long, help: "Penalty (> 1 discourages) for tokens already generated.")
    var repetitionPenalty: Double?

    @Flag(name: .long, help: "Sample instead of searching.")
    var sample = false

    @Option(name: .long, help: "Sampling temperature.")
    var temperature: Double?

    @Option(name: .long, help: "Sample from the k most likely tokens.")
    var topK: Int?

    @Option(name: .long, help: "Sample from the smallest set with cumulative probability >= p.")
    var topP: Double?

    @Option(name: .long, help: "Sampling seed (reproducible across runs and thread counts).")
    var seed: UInt64?

    @Flag(name: .long, help: "Append a tab and the hypothesis score to each output line.")
    var scores = false

    func validate() throws {
        if let maxNewTokens, maxNewTokens < 1 { throw ValidationError("--max-new-tokens must be at least 1") }
        if let minNewTokens, minNewTokens < 0 { throw ValidationError("--min-new-tokens must be at least 0") }
        if let beams, beams < 1 { throw ValidationError("--beams must be at least 1") }
        if let numReturn, numReturn < 1 { throw ValidationError("--num-return must be at least 1") }
        if let earlyStopping, !["true", "false", "never"].contains(earlyStopping) {
            throw ValidationError("--early-stopping must be true, false or never")
        }
        if !sample && (temperature != nil || topK != nil || topP != nil) {
            throw ValidationError("--temperature, --top-k and --top-p need --sample")
        }
    }

    var options: GenerationOptions {
        var o = GenerationOptions()
        o.maxNewTokens = maxNewTokens
        o.minNewTokens = minNewTokens
        o.numBeams = beams
        o.numReturnSequences = numReturn
        o.lengthPenalty = lengthPenalty
        switch earlyStopping {
        case "true": o.earlyStopping = .whenFull
        case "false": o.earlyStopping = .heuristic
        case "never": o.earlyStopping = .never
        default: break
        }
        o.noRepeatNgramSize = noRepeatNgram
        o.repetitionPenalty = repetitionPenalty
        if sample {
            o.doSample = true
            o.temperature = temperature
            o.topK = topK
            o.topP = topP
        }
        o.seed = seed
        if scores { o.outputScores = true }
        return o
    }

    /// " \t<score>" when --scores is on.
    func scoreSuffix(_ score: Float?) -> String {
        guard scores else { return "" }
        return "\t" + (score.map { String(format: "%.6f", Double($0)) } ?? "nan")
    }
}
