import Foundation
import LMCore
import Testing

/// Search options through the whole engine against HF generate on the tiny checkpoints
/// (gen_model_search.py): ids exact, beam scores (sequences_scores) within 1e-4 (relative
/// beyond magnitude 1).
@Suite struct SearchFixtureTests {
    struct Case: Decodable {
        struct Output: Decodable {
            let sequences: [[Int32]]
            let scores: [Float]?
        }
        let name: String
        let options: [String: OptionValue]
        let batched: Bool
        let inputs: [[Int32]]
        let outputs: [Output]
        /// Decoder ids forced after the start token (HF's decoder_input_ids), for every input.
        let prefix: [Int32]?
    }

    enum OptionValue: Decodable {
        case number(Double), bool(Bool), string(String), ids([Int32]), idLists([[Int32]])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let d = try? c.decode(Double.self) { self = .number(d) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let ids = try? c.decode([Int32].self) { self = .ids(ids) }
            else { self = .idLists(try c.decode([[Int32]].self)) }
        }
    }

    struct File: Decodable { let cases: [Case] }

    static func options(_ raw: [String: OptionValue]) -> GenerationOptions {
        var o = GenerationOptions()
        for (key, value) in raw {
            switch (key, value) {
            case ("num_beams", .number(let v)): o.numBeams = Int(v)
            case ("num_return_sequences", .number(let v)): o.numReturnSequences = Int(v)
            case ("max_new_tokens", .number(let v)): o.maxNewTokens = Int(v)
            case ("min_new_tokens", .number(let v)): o.minNewTokens = Int(v)
            case ("length_penalty", .number(let v)): o.lengthPenalty = v
            case ("early_stopping", .bool(let v)): o.earlyStopping = v ? .whenFull : .heuristic
            case ("early_stopping", .string("never")): o.earlyStopping = .never
            case ("no_repeat_ngram_size", .number(let v)): o.noRepeatNgramSize = Int(v)
            case ("encoder_no_repeat_ngram_size", .number(let v)): o.encoderNoRepeatNgramSize = Int(v)
            case ("repetition_penalty", .number(let v)): o.repetitionPenalty = v
            case ("suppress_tokens", .ids(let v)): o.suppressTokens = v
            case ("begin_suppress_tokens", .ids(let v)): o.beginSuppressTokens = v
            case ("bad_words_ids", .idLists(let v)): o.badWordsIds = v
            case ("forced_bos_token_id", .number(let v)): o.forcedBosTokenId = Int32(v)
            case ("forced_eos_token_id", .number(let v)): o.forcedEosTokenId = [Int32(v)]
            default: Issue.record("unhandled option \(key)")
            }
        }
        return o
    }

    @Test(arguments: CoreFixtures.modelVariants)
    func searchOptionsMatchReference(variant: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: CoreFixtures.path("models/\(variant)/search.json")))
        let file = try JSONDecoder().decode(File.self, from: data)
        let model = try Model.load(path: CoreFixtures.path("models/\(variant)"), options: ModelOptions(threads: 2))
        for c in file.cases {
            let options = Self.options(c.options)
            // Prefixed cases go through RequestOptions (one prefix for all inputs), the others
            // through the plain call.
            let request = RequestOptions(targetPrefixes: c.prefix.map { [$0] })
            let results: [[Hypothesis]] = c.batched
                ? try (c.prefix == nil ? model.generate(c.inputs, options: options)
                       : model.generate(c.inputs, options: options, request: request))
                : try c.inputs.map { try model.generate([$0], options: options, request: request)[0] }
            for (i, (got, want)) in zip(results, c.outputs).enumerated() {
                #expect(got.map(\.ids) == want.sequences, "\(variant) \(c.name) input \(i)")
                if let scores = want.scores {
                    for (h, s) in zip(got, scores) {
                        // 1e-4, relative once |score| > 1: a length-penalised score of -326 is a
                        // float32 sum whose last bits differ between engines (ulp(326) = 3e-5).
                        #expect(abs((h.score ?? .nan) - s) <= 1e-4 * max(1, abs(s)),
                                "\(variant) \(c.name) input \(i): score \(h.score ?? .nan) vs \(s)")
                    }
                }
            }
        }
    }
}
