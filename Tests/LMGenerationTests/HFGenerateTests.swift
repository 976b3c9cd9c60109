import Foundation
import LMGeneration
import Testing

/// One recorded HF `generate` call on the hash model (Tests/Fixtures/search/hf_generate.json).
struct HFGenerateCase: CustomTestStringConvertible, Sendable {
    let name: String
    let optionsJSON: Data
    let modelConfigJSON: Data
    let encoderInputIds: [[Int32]]
    let seeds: [Int]
    let prefix: [Int32]
    let expected: [[Hypothesis]]

    var testDescription: String { name }

    static func all() -> [HFGenerateCase] {
        guard let root = try? Fixtures.json("hf_generate.json"), let cases = root["cases"] as? [[String: Any]] else {
            return []
        }
        return cases.compactMap { c -> HFGenerateCase? in
            guard let name = c["name"] as? String,
                  let options = try? Fixtures.data(c["options"] ?? [:]),
                  let model = try? Fixtures.data(c["model_generation_config"] ?? [:]),
                  let expected = c["expected"] as? [[[String: Any]]] else { return nil }
            return HFGenerateCase(
                name: name, optionsJSON: options, modelConfigJSON: model,
                encoderInputIds: (c["encoder_input_ids"] as? [Any] ?? []).map(Fixtures.ints),
                seeds: (c["seeds"] as? [Int]) ?? [],
                prefix: Fixtures.ints(c["decoder_prefix"]),
                expected: expected.map { hyps in
                    hyps.map { h in
                        Hypothesis(ids: Fixtures.ints(h["ids"]),
                                   score: Float(truncating: h["score"] as? NSNumber ?? 0),
                                   tokenLogProbs: Fixtures.floats(h["token_log_probs"]))
                    }
                })
        }
    }
}

@Suite("HF generate goldens on the hash model")
struct HFGenerateTests {
    static let cases = HFGenerateCase.all()

    @Test func fixtureIsPresent() {
        #expect(HFGenerateTests.cases.count >= 50)
    }

    @Test(arguments: HFGenerateTests.cases)
    func matchesTransformers(_ c: HFGenerateCase) throws {
        var explicit = try GenerationOptions(generationConfigJSON: c.optionsJSON, file: "\(c.name) options")
        explicit.outputScores = true
        let model = try GenerationOptions(generationConfigJSON: c.modelConfigJSON, file: "\(c.name) model config")
        var decoder = HashStepDecoder(seeds: c.seeds)
        let inputs = c.encoderInputIds.map { GenerationInput(encoderInputIds: $0, decoderPrefix: c.prefix) }
        let got = try Generation.generate(decoder: &decoder, inputs: inputs, options: explicit.merged(over: model),
                                          maxPositionEmbeddings: 64)
        try #require(got.count == c.expected.count)
        // The prompt runs on one row per input; beams come from reorder, never more rows than beams.
        #expect(decoder.rowsPerStep.first == inputs.count)
        let expand = max(explicit.merged(over: model).numBeams ?? 1, 1)
        #expect(decoder.rowsPerStep.allSatisfy { $0 <= inputs.count * expand })
        for (i, (g, e)) in zip(got, c.expected).enumerated() {
            #expect(g.map(\.ids) == e.map(\.ids), "input \(i) ids")
            guard g.count == e.count else { continue }
            for (k, (gh, eh)) in zip(g, e).enumerated() {
                let gs = gh.score ?? .nan, es = eh.score ?? .nan
                #expect(close(gs, es, 1e-4 + 1e-5 * abs(es)), "input \(i) hypothesis \(k) score \(gs) vs \(es)")
                if gh.ids == eh.ids {
                    let diff = firstDifference(gh.tokenLogProbs ?? [], eh.tokenLogProbs ?? [], 1e-4)
                    #expect(diff == nil, "input \(i) hypothesis \(k) token log-probs: \(diff ?? "")")
                }
            }
        }
    }
}
