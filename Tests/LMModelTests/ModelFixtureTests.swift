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
        // Rows of each observed buffer: d_model wide in a Transformer; a recurrent encoder's
        // embeddings and layer outputs (both directions) each have their own width.
        func rows(_ layer: Int, of i: Int) -> ArraySlice<Float> {
            let states = layers[layer] ?? [], width = states.count / output.sequences.total
            let start = output.sequences.offsets[i] * width
            return states[start..<(start + output.sequences.lengths[i] * width)]
        }
        for (i, input) in goldens.inputs.enumerated() {
            expectClose(Array(rows(-1, of: i)), input.embeddings.flatMap { $0 }, tolerance: Self.tolerance,
                        "\(variant) input \(i) embeddings")
            for (l, expected) in input.encoder_layers.enumerated() {
                expectClose(Array(rows(l, of: i)), expected.flatMap { $0 }, tolerance: Self.tolerance,
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
        let state = try model.startDecoding(output)
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
        let state = try model.startDecoding(try model.encode([input.source_ids, goldens.inputs[1].source_ids]))
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

    /// Reduced compute types against the same float32 goldens: teacher-forced logits within a bound
    /// relative to the largest golden logit of the step, and the type in effect is the one asked for.
    /// Measured on these fixtures (AVX2, 2026-12-07): float16 0.0004-0.0033, int8_float32 0.012-0.128
    /// (the worst a T5 with tied, int8 embeddings); int8 (AVX-512 VNNI, 2026-12-07) 0.020-0.305, the
    /// worst the gated T5 feed-forwards, whose products have outliers that per-row activation scales
    /// round coarsely. The bounds are 1.5x the worst. A kernel reading the wrong weights is off by the
    /// logits themselves (~1).
    @Test(arguments: Fixtures.modelVariants)
    func reducedComputeTypesStayClose(variant: String) throws {
        guard ComputeBackend.packedKernels else { return }
        let goldens = try ModelGoldens.load(variant)
        for (type, bound) in [(ComputeType.float16, Float(5e-3)), (.int8Float32, Float(0.2)), (.int8, Float(0.45))] {
            let model = try Seq2SeqModel.load(directory: Fixtures.path("models/\(variant)"),
                                              config: Seq2SeqModel.readConfig(directory: Fixtures.path("models/\(variant)")),
                                              computeType: type)
            #expect(model.computeType == type.effective)
            let state = try model.startDecoding(try model.encode(goldens.inputs.map(\.source_ids)))
            var worst: Float = 0
            for t in 0..<goldens.inputs[0].decoder_input_ids.count {
                let logits = try state.step(goldens.inputs.map { $0.decoder_input_ids[t] })
                let vocab = logits.shape[1]
                for (i, input) in goldens.inputs.enumerated() {
                    let expected = input.decoder_logits[t]
                    let scale = max(1e-6, expected.map(abs).max() ?? 0)
                    for v in 0..<vocab {
                        worst = max(worst, abs(logits.storage[i * vocab + v] - expected[v]) / scale)
                    }
                }
            }
            #expect(worst <= bound, "\(variant) \(type): worst relative logit error \(worst)")
        }
    }
}
