import Foundation
import LMModel
import LMTensor
import Testing

/// The forward pass against HF transformers on tiny random checkpoints (gen_models.py):
/// per-layer encoder states and teacher-forced decoder logits, max |diff| ≤ 1e-4.
@Suite struct ModelFixtureTests {
    static let tolerance: Float = 1e-4

    @Test(arguments: Fixtures.modelVariants)
    func encoderMatchesReference(variant: String) throws {
        let goldens = try ModelGoldens.load(variant)
        let model = try Seq2SeqModel.load(directory: Fixtures.path("models/\(variant)"))
        #expect(model.config.modelType == goldens.model_type)
        // The whole batch at once: packed sequences must not leak into each other.
        var layers: [Int: [Float]] = [:]
        let output = try model.encode(goldens.inputs.map(\.source_ids)) { layer, states in
            layers[layer] = states.array
        }
        let d = model.config.dModel
        for (i, input) in goldens.inputs.enumerated() {
            let start = output.sequences.offsets[i] * d, end = start + output.sequences.lengths[i] * d
            expectClose(Array(layers[-1]![start..<end]), input.embeddings.flatMap { $0 }, tolerance: Self.tolerance,
                        "\(variant) input \(i) embeddings")
            for (l, expected) in input.encoder_layers.enumerated() {
                expectClose(Array(layers[l]![start..<end]), expected.flatMap { $0 }, tolerance: Self.tolerance,
                            "\(variant) input \(i) encoder layer \(l)")
            }
            expectClose(output.states(of: i).storage, input.encoder_output.flatMap { $0 },
                        tolerance: Self.tolerance, "\(variant) input \(i) encoder output")
        }
    }

    @Test(arguments: Fixtures.modelVariants)
    func decoderLogitsMatchReference(variant: String) throws {
        let goldens = try ModelGoldens.load(variant)
        let model = try Seq2SeqModel.load(directory: Fixtures.path("models/\(variant)"))
        let output = try model.encode(goldens.inputs.map(\.source_ids))
        let state = model.startDecoding(output)
        // All inputs decode together; each row feeds its own teacher-forced target.
        let steps = goldens.inputs[0].decoder_input_ids.count
        for t in 0..<steps {
            let logits = try state.step(goldens.inputs.map { $0.decoder_input_ids[t] })
            let vocab = logits.shape[1]
            for (i, input) in goldens.inputs.enumerated() {
                expectClose(Array(logits.storage[(i * vocab)..<((i + 1) * vocab)]), input.decoder_logits[t],
                            tolerance: Self.tolerance, "\(variant) input \(i) step \(t) logits")
            }
        }
    }

    @Test(arguments: Fixtures.modelVariants)
    func reorderFollowsRows(variant: String) throws {
        // Decoding input 0 in two rows, then dropping one and duplicating another, must give the
        // same logits as decoding it alone: the cache follows rows, nothing is recomputed.
        let goldens = try ModelGoldens.load(variant)
        let model = try Seq2SeqModel.load(directory: Fixtures.path("models/\(variant)"))
        let input = goldens.inputs[0]
        let state = model.startDecoding(try model.encode([input.source_ids, goldens.inputs[1].source_ids]))
        try state.reorder([1, 0, 0])
        let targets = input.decoder_input_ids
        for t in 0..<targets.count {
            if t == 2 { try state.reorder([2, 1]) }  // keep only input 0's rows (swapped)
            let rows = state.rows
            let tokens = [Int32](repeating: targets[t], count: rows)
            let logits = try state.step(rows == 3 ? [goldens.inputs[1].decoder_input_ids[t], targets[t], targets[t]] : tokens)
            let vocab = logits.shape[1]
            for r in (rows == 3 ? 1 : 0)..<rows {
                expectClose(Array(logits.storage[(r * vocab)..<((r + 1) * vocab)]), input.decoder_logits[t],
                            tolerance: Self.tolerance, "\(variant) row \(r) step \(t)")
            }
        }
    }
}
