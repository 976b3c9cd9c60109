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

    @Option(name: .long, help: "Token ids never generated (suppress_tokens), space- or comma-separated.")
    var suppressTokens: String?

    @Option(name: .long, help: "Token ids not generated as the first new token (begin_suppress_tokens).")
    var beginSuppressTokens: String?

    @Option(name: .long, help: "Id sequences never generated (bad_words_ids): sequences separated by ';', ids by spaces or commas.")
    var badWords: String?

    @Option(name: .long, help: "Token id forced as the first new token (forced_bos_token_id).")
    var forcedBosTokenId: Int32?

    @Option(name: .long, help: "Token id forced when the length limit is reached (forced_eos_token_id).")
    var forcedEosTokenId: Int32?

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
        _ = try idLists()
    }

    /// --suppress-tokens, --begin-suppress-tokens and --bad-words as ids.
    func idLists() throws -> (suppress: [Int32]?, beginSuppress: [Int32]?, badWords: [[Int32]]?) {
        func ids(_ text: String?, _ flag: String) throws -> [Int32]? {
            guard let text else { return nil }
            do { return try CLI.parseIds(text, line: 0, what: flag) } catch { throw ValidationError("\(error)") }
        }
        let bad = try badWords.map { text in
            try text.split(separator: ";").map { try ids(String($0), "--bad-words") ?? [] }.filter { !$0.isEmpty }
        }
        return (try ids(suppressTokens, "--suppress-tokens"), try ids(beginSuppressTokens, "--begin-suppress-tokens"), bad)
    }

    var options: GenerationOptions {
        var o = GenerationOptions()
        if let lists = try? idLists() {
            o.suppressTokens = lists.suppress
            o.beginSuppressTokens = lists.beginSuppress
            o.badWordsIds = lists.badWords
        }
        o.forcedBosTokenId = forcedBosTokenId
        o.forcedEosTokenId = forcedEosTokenId.map { [$0] }
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
