import Foundation
import LMCore
import LMGeneration
import Testing

/// Inputs long enough (≥ 64 ids) for attention to run as GEMMs (`Attention.block`: the encoder's
/// self-attention, the decoder's cross-attention over an input's beams), next to a short input
/// that keeps the per-row path, against HF (gen_long_inputs.py): the long input's encoder output
/// within 1e-4, batched greedy and beam-4 ids exact, beam scores within 1e-4.
@Suite struct LongInputFixtureTests {
    struct Goldens: Decodable {
        let new_tokens: Int
        let inputs: [[Int32]]
        let encoder_output: [[Float]]
        let greedy: [[Int32]]
        let beam4: [[Int32]]
        let beam4_scores: [Float]
        /// T5 only: a source longer than one block of query rows (`Attention.blockRows`).
        let very_long: VeryLong?
    }

    struct VeryLong: Decodable {
        let input: [Int32]
        let rows: [Int]
        let encoder_rows: [[Float]]
        let greedy: [Int32]
    }

    static let variants = ["marian-swish-tied", "pegasus-gelu-tied", "t5-relu-tied", "t5-gatedgelu-untied"]

    @Test(arguments: variants)
    func longInputsMatchReference(variant: String) throws {
        let folder = CoreFixtures.path("models/\(variant)")
        let goldens = try JSONDecoder().decode(
            Goldens.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/long.json")))
        #expect(goldens.inputs[0].count >= 64, "the long input must reach the GEMM path")
        let model = try Model.load(path: folder, options: ModelOptions(threads: 2))

        let encoded = try model.network.encode([goldens.inputs[0]])
        let want = goldens.encoder_output.flatMap { $0 }
        let got = encoded.states(of: 0).storage
        #expect(got.count == want.count)
        let worst = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-4, "\(variant) encoder output: max |diff| \(worst)")

        var greedy = GenerationOptions()
        greedy.maxNewTokens = goldens.new_tokens
        #expect(try model.generate(goldens.inputs, options: greedy).map { $0[0].ids } == goldens.greedy,
                "\(variant) greedy")

        var beam = greedy
        beam.numBeams = 4
        let results = try model.generate(goldens.inputs, options: beam)
        #expect(results.map { $0[0].ids } == goldens.beam4, "\(variant) beam 4")
        for (result, score) in zip(results, goldens.beam4_scores) {
            #expect(abs((result[0].score ?? .nan) - score) <= 1e-4 * max(1, abs(score)),
                    "\(variant) beam 4 score \(result[0].score ?? .nan) vs \(score)")
        }

        // Past one block of query rows: rows on both sides of the block edge, and both ends.
        guard let veryLong = goldens.very_long else { return }
        #expect(veryLong.input.count > 2048, "the very long input must span two blocks of query rows")
        let states = try model.network.encode([veryLong.input]).states(of: 0).storage
        let d = veryLong.encoder_rows[0].count
        for (row, want) in zip(veryLong.rows, veryLong.encoder_rows) {
            let got = Array(states[(row * d)..<((row + 1) * d)])
            let diff = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
            #expect(diff <= 1e-4, "\(variant) very long input, encoder row \(row): max |diff| \(diff)")
        }
        #expect(try model.generate([veryLong.input], options: greedy)[0][0].ids == veryLong.greedy,
                "\(variant) very long input, greedy")
    }
}
