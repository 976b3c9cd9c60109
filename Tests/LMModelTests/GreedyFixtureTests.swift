import Foundation
import LMModel
import LMTensor
import Testing

/// Greedy decoding through the step API against HF `generate` (do_sample=False, one beam) on
/// the tiny checkpoints: ids must be identical. Runs 30 steps per input, well past the
/// teacher-forced prefix, so it exercises long cache histories, T5's causal buckets at larger
/// distances and M2M100's position rows beyond its precomputed table.
///
/// The few logits processors the fixtures' generation_config.json files use are applied here as
/// transformers applies them to the argmax: forced_bos_token_id, forced_eos_token_id,
/// single-token bad_words_ids and min_new_tokens (the search module owns the real ones).
@Suite struct GreedyFixtureTests {
    struct Processors {
        var forcedBos: Int?
        var forcedEos: Int?
        var banned: [Int] = []

        init(_ file: ConfigFile) throws {
            forcedBos = try file.int("forced_bos_token_id")
            forcedEos = try file.int("forced_eos_token_id")
        }
    }

    /// Greedy ids for every input decoded together (one row each), cut after EOS.
    static func greedy(_ model: Seq2SeqModel, inputs: [[Int32]], processors: Processors, maxNew: Int, minNew: Int)
        throws -> [[Int32]] {
        let state = try model.startDecoding(try model.encode(inputs))
        let eos = Set(model.config.eosTokenIds)
        var outputs = [[Int32]](repeating: [], count: inputs.count)
        var done = [Bool](repeating: false, count: inputs.count)
        var tokens = [Int32](repeating: Int32(model.config.decoderStartTokenId), count: inputs.count)
        for step in 1...maxNew {
            let logits = try state.step(tokens)
            let vocab = logits.shape[1]
            for r in 0..<inputs.count where !done[r] {
                var scores = Array(logits.storage[(r * vocab)..<((r + 1) * vocab)])
                for id in processors.banned { scores[id] = -.infinity }
                if step <= minNew { for id in eos { scores[id] = -.infinity } }
                if step == 1, let bos = processors.forcedBos { scores = force(bos, vocab) }
                if step == maxNew, let forced = processors.forcedEos { scores = force(forced, vocab) }
                var best = 0
                for i in 1..<vocab where scores[i] > scores[best] { best = i }
                outputs[r].append(Int32(best))
                tokens[r] = Int32(best)
                if eos.contains(best) { done[r] = true }
            }
            if !done.contains(false) { break }
            for r in 0..<inputs.count where done[r] { tokens[r] = Int32(model.config.padTokenId) }
        }
        return outputs
    }

    static func force(_ id: Int, _ vocab: Int) -> [Float] {
        var scores = [Float](repeating: -.infinity, count: vocab)
        scores[id] = 0
        return scores
    }

    static func processors(_ variant: String) throws -> Processors {
        let file = try ConfigFile.read(Fixtures.path("models/\(variant)/generation_config.json"))
        var p = try Processors(file)
        // bad_words_ids is a list of lists; the fixtures ban single tokens only.
        let text = try String(contentsOfFile: file.path, encoding: .utf8)
        if let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
           let bad = object["bad_words_ids"] as? [[Int]] {
            #expect(bad.allSatisfy { $0.count == 1 }, "\(variant): multi-token bad_words_ids are not emulated")
            p.banned = bad.compactMap(\.first)
        }
        return p
    }

    @Test(arguments: Fixtures.modelVariants)
    func greedyMatchesReference(variant: String) throws {
        let goldens = try ModelGoldens.load(variant)
        let model = try Seq2SeqModel.load(directory: Fixtures.path("models/\(variant)"))
        let processors = try Self.processors(variant)
        let sources = goldens.inputs.map(\.source_ids)
        let natural = try Self.greedy(model, inputs: sources, processors: processors,
                                      maxNew: goldens.natural_max_new_tokens, minNew: 0)
        let fixed = try Self.greedy(model, inputs: sources, processors: processors,
                                    maxNew: goldens.fixed_new_tokens, minNew: goldens.fixed_new_tokens)
        for (i, input) in goldens.inputs.enumerated() {
            #expect(natural[i] == input.greedy, "\(variant) input \(i) greedy")
            #expect(fixed[i] == input.greedy_fixed, "\(variant) input \(i) greedy with \(goldens.fixed_new_tokens) tokens")
            // HF's padded batch must agree with our packed one.
            #expect(natural[i] == goldens.batched_greedy[i], "\(variant) input \(i) batched greedy")
        }
    }
}
