import Foundation
import LMInput
import LMModel
import LMTensor
import Testing

/// `convert --quantize int8` checkpoints: the converter stores exactly the weights an int8 load packs,
/// as int8 rows and scales that pack to the same bytes as quantizing at load, and malformed int8
/// tensors get clear errors.
@Suite struct Int8CheckpointTests {
    static let transformerVariants = Fixtures.modelVariants.filter { !Fixtures.recurrentVariants.contains($0) }

    /// Converts a fixture model to int8 in a scratch folder (the caller cleans it up).
    static func converted(_ variant: String, scratch: ScratchFolder) throws -> String {
        let out = scratch.file(variant)
        try WeightConverter.convert(directory: Fixtures.path("models/\(variant)"), to: out, quantizeInt8: true)
        return out
    }

    static func load(_ directory: String, _ type: ComputeType) throws -> Seq2SeqModel {
        try Seq2SeqModel.load(directory: directory, config: Seq2SeqModel.readConfig(directory: directory),
                              computeType: type)
    }

    /// Teacher-forced logits of the fixture's golden inputs, step by step.
    static func logits(_ model: Seq2SeqModel, _ goldens: ModelGoldens) throws -> [[Float]] {
        let state = try model.startDecoding(try model.encode(goldens.inputs.map(\.source_ids)))
        return try (0..<goldens.inputs[0].decoder_input_ids.count).map { t in
            try state.step(goldens.inputs.map { $0.decoder_input_ids[t] }).storage
        }
    }

    @Test func packingStoredRowsGivesTheBytesOfPackingFloats() throws {
        guard ComputeBackend.packedKernels else { return }
        let n = 37, k = 70, m = 5  // a partial panel, k not a multiple of 4
        var seed: UInt64 = 12345
        func next() -> Float {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: seed >> 11) % 2001 - 1000) / 997
        }
        let w = (0..<(n * k)).map { _ in next() }
        let x = (0..<(m * k)).map { _ in next() }
        var values = [Int8](repeating: 0, count: n * k), scales = [Float](repeating: 0, count: n)
        PackedMatrix.quantizeRows(w, outFeatures: n, inFeatures: k, into: &values, scales: &scales)
        for type in [PackedType.int8, .int8Compute] {
            let fromFloats = try #require(PackedMatrix(weight: w, outFeatures: n, inFeatures: k, type: type))
            let fromRows = try #require(PackedMatrix(int8Rows: values, scales: scales, outFeatures: n, inFeatures: k,
                                                     type: type))
            #expect(fromRows.type == fromFloats.type)
            var a = [Float](repeating: 0, count: n * k), b = a
            fromFloats.unpack(into: &a)
            fromRows.unpack(into: &b)
            expectBitEqual(b, a, "\(type) weights")
            var ya = [Float](repeating: 0, count: m * n), yb = ya
            fromFloats.linear(x, rows: m, bias: nil, into: &ya)
            fromRows.linear(x, rows: m, bias: nil, into: &yb)
            expectBitEqual(yb, ya, "\(type) product")
        }
    }

    /// The int8 tensors are the linear layers and the lm head (with tables tied to it), nothing else:
    /// a tied Marian quantizes `model.shared.weight`; an untied T5 its `lm_head` but not `shared` or
    /// the relative position bias.
    @Test(arguments: ["marian-swish-tied", "t5-gatedgelu-untied", "bart-gelunew-untied"])
    func converterQuantizesWhatInt8Packs(variant: String) throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let original = try WeightStore.open(directory: Fixtures.path("models/\(variant)"))
        let store = try WeightStore.open(directory: try Self.converted(variant, scratch: scratch))
        func isTable(_ key: String) -> Bool {
            key.contains("embed_") || key.contains("shared") || key.contains("relative_attention_bias")
        }
        let tied = variant.hasSuffix("-tied")
        for key in original.keys {
            let info = try #require(original.info(key))
            let headTable = key == (variant.hasPrefix("t5") ? "shared.weight" : "model.shared.weight") && tied
            let expectInt8 = info.shape.count == 2 && key.hasSuffix(".weight") && (!isTable(key) || headTable || key == "lm_head.weight")
            #expect((store.info(key)?.dtype == .i8) == expectInt8, "\(variant) \(key)")
            if expectInt8 {
                #expect(store.info(key + "_scale")?.shape == [info.shape[0], 1], "\(key)_scale")
            }
        }
        #expect(store.keys.count == original.keys.count + store.keys.filter { $0.hasSuffix("_scale") }.count)
        #expect(store.metadata["lmcore_quantization"] != nil)
    }

    /// Loaded as int8, a converted checkpoint gives the logits of its float original loaded as int8,
    /// bit for bit, on a CPU with the integer products (there every linear weight is packed as int8
    /// at load, from the same rows); on others, every compute type stays within the int8 bound of the
    /// float32 goldens (ModelFixtureTests.reducedComputeTypesStayClose). Float types dequantize.
    /// Measured (AVX-512 VNNI, 2026-12-07): 0.017-0.32 over the 13 fixtures and 4 types, the worst
    /// the gated T5 with tied (so int8) embeddings.
    @Test(arguments: transformerVariants)
    func convertedCheckpointLoadsAsItsOriginalQuantized(variant: String) throws {
        guard ComputeBackend.packedKernels else { return }
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let goldens = try ModelGoldens.load(variant)
        let out = try Self.converted(variant, scratch: scratch)
        if ComputeBackend.integerProducts {
            let expected = try Self.logits(try Self.load(Fixtures.path("models/\(variant)"), .int8), goldens)
            let actual = try Self.logits(try Self.load(out, .int8), goldens)
            for (t, (a, e)) in zip(actual, expected).enumerated() { expectBitEqual(a, e, "\(variant) step \(t)") }
        }
        for type in [ComputeType.float32, .float16, .int8Float32, .int8] {
            let steps = try Self.logits(try Self.load(out, type), goldens)
            var worst: Float = 0
            for (t, logits) in steps.enumerated() {
                let vocab = logits.count / goldens.inputs.count
                for (i, input) in goldens.inputs.enumerated() {
                    let expected = input.decoder_logits[t]
                    let scale = max(1e-6, expected.map(abs).max() ?? 0)
                    for v in 0..<vocab { worst = max(worst, abs(logits[i * vocab + v] - expected[v]) / scale) }
                }
            }
            #expect(worst <= 0.45, "\(variant) \(type): worst relative logit error \(worst)")
        }
    }

    @Test func recurrentModelsAreRefused() throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let error = modelError {
            try WeightConverter.convert(directory: Fixtures.path("models/rnn-gru-bahdanau-bi"), to: scratch.file("x"),
                                        quantizeInt8: true)
        }
        #expect(error == .unsupported("convert --quantize int8: model_type 'rnn_seq2seq' has no weights lmcore "
            + "packs as int8 (the transformer models do; the recurrent ones do not)"))
    }

    /// Hostile int8 tensors: no scale, a scale of the wrong shape, negative or non-finite scales, a
    /// shape other than the layer's. Each is a format error naming the tensor.
    @Test func malformedInt8TensorsAreFormatErrors() throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        func file(_ header: String, data: Int) throws -> WeightStore {
            var bytes = Array(header.utf8)
            while bytes.count % 8 != 0 { bytes.append(0x20) }
            var out = withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { Array($0) } + bytes
            out += [UInt8](repeating: 1, count: data)
            let path = try scratch.write("w\(UUID().uuidString).safetensors", out)
            return try WeightStore.open(files: [path])
        }
        let w = #""w":{"dtype":"I8","shape":[2,4],"data_offsets":[0,8]}"#
        let noScale = try file("{\(w)}", data: 8)
        #expect(modelError { _ = try noScale.matrix("w", shape: [2, 4]) }?.description.contains("'w_scale' is missing") == true)
        #expect(modelError { _ = try noScale.buffer("w", shape: [2, 4]) }?.description.contains("'w_scale' is missing") == true)
        let badShape = try file(#"{\#(w),"w_scale":{"dtype":"F32","shape":[3],"data_offsets":[8,20]}}"#, data: 20)
        #expect(modelError { _ = try badShape.matrix("w", shape: [2, 4]) }?.description.contains("expected [2] or [2, 1]") == true)
        #expect(modelError { _ = try badShape.matrix("w", shape: [4, 2]) }?.description.contains("expected [4, 2]") == true)
        // Scale bytes 0x01010101 are a tiny positive float; -1 and NaN are written explicitly.
        for (bits, what) in [(UInt32(0xBF80_0000), "-1.0"), (0x7FC0_0000, "nan")] {
            let scaleFile = scratch.file("s\(what).safetensors")
            var bytes = Array(#"{\#(w),"w_scale":{"dtype":"F32","shape":[2,1],"data_offsets":[8,16]}}"#.utf8)
            while bytes.count % 8 != 0 { bytes.append(0x20) }
            var out = withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { Array($0) } + bytes
            out += [UInt8](repeating: 1, count: 8) + withUnsafeBytes(of: UInt32(0x3F80_0000).littleEndian) { Array($0) }
                + withUnsafeBytes(of: bits.littleEndian) { Array($0) }
            try Data(out).write(to: URL(fileURLWithPath: scaleFile))
            let store = try WeightStore.open(files: [scaleFile])
            let error = modelError { _ = try store.matrix("w", shape: [2, 4]) }
            #expect(error?.description.contains("holds \(what) at row 1") == true, "\(String(describing: error))")
        }
    }
}
