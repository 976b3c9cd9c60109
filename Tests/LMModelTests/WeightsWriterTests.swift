import Foundation
import LMModel
import LMTensor
import Testing

/// The safetensors writer against the reference writer's bytes, round trips, and the converter.
@Suite struct WeightsWriterTests {
    /// The F32 tensors the generator passed to `safetensors.torch.save_file`, read back from its file.
    static func referenceTensors() throws -> [(String, Tensor)] {
        let store = try WeightStore.open(files: [WeightsFixtures.path("writer-f32.safetensors")])
        return try store.keys.map { ($0, try store.tensor($0)) }
    }

    @Test(arguments: [(DType.f32, "writer-f32.safetensors"), (DType.f16, "writer-f16.safetensors")])
    func writerMatchesTheReferenceByteForByte(dtype: DType, reference: String) throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let path = scratch.file("out.safetensors")
        // Reversed input order: the file order is the format's (dtype, then name), not the caller's.
        try SafetensorsWriter.write(tensors: try Self.referenceTensors().reversed(), metadata: ["format": "pt"],
                                    dtype: dtype, to: path)
        let written = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let expected = try WeightsFixtures.bytes(reference)
        #expect(written.count == expected.count)
        #expect(written == expected, "first difference at byte \(String(describing: zip(written, expected).enumerated().first { $1.0 != $1.1 }?.offset))")
    }

    @Test func dictionaryInputRoundTrips() throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let tensors: [String: Tensor] = [
            "a.weight": Tensor(shape: [2, 3], storage: [1, -2, 3.5, .infinity, -0.0, 1e-30]),
            "b": Tensor(shape: [], storage: [7]),
            "c": Tensor(shape: [0, 5], storage: []),
        ]
        let path = scratch.file("round.safetensors")
        try SafetensorsWriter.write(tensors: tensors, metadata: ["k": "v \"quoted\"\n"], to: path)
        let store = try WeightStore.open(files: [path])
        #expect(store.keys == ["a.weight", "b", "c"])
        #expect(store.metadata == ["k": "v \"quoted\"\n"])
        for (key, t) in tensors {
            let read = try store.tensor(key, shape: t.shape)
            expectBitEqual(read.storage, t.storage, key)
        }
    }

    @Test func invalidInputIsRejectedBeforeWriting() throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let path = scratch.file("never.safetensors")
        let bad = Tensor(shape: [2, 2], storage: [1, 2, 3])
        #expect(modelError { try SafetensorsWriter.write(tensors: [("x", bad)], to: path) }?.isInvalidArgument == true)
        let ok = Tensor(shape: [1], storage: [1])
        let duplicate = modelError { try SafetensorsWriter.write(tensors: [("x", ok), ("x", ok)], to: path) }
        #expect(duplicate == .invalidArgument("SafetensorsWriter: tensor 'x' given twice"))
        #expect(modelError { try SafetensorsWriter.write(tensors: [("__metadata__", ok)], to: path) }?.isInvalidArgument == true)
        #expect(modelError { try SafetensorsWriter.write(tensors: [("x", ok)], dtype: .bf16, to: path) }?.isInvalidArgument == true)
        #expect(!FileManager.default.fileExists(atPath: path))
        let unwritable = modelError { try SafetensorsWriter.write(tensors: [("x", ok)], to: scratch.file("no/such/dir.safetensors")) }
        #expect(unwritable?.isIO == true)
    }

    @Test(arguments: ["marian-bin", "marian-safetensors", "marian-sharded-bin", "marian-sharded-safetensors"])
    func converterWritesOneSafetensorsWithEveryTensor(folder: String) throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let source = WeightsFixtures.path(folder)
        let out = scratch.file("converted/nested")
        let summary = try WeightConverter.convert(directory: source, to: out)
        #expect(summary.output == out + "/model.safetensors")
        #expect(summary.copiedFiles.contains("config.json"))
        #expect(!summary.copiedFiles.contains { $0.hasSuffix(".bin") || $0.hasSuffix(".safetensors") || $0.hasSuffix(".index.json") })
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(names == (["model.safetensors"] + summary.copiedFiles).sorted())
        let original = try WeightStore.open(directory: source)
        let converted = try WeightStore.open(directory: out)
        #expect(converted.source == out + "/model.safetensors")
        #expect(converted.keys == original.keys)
        #expect(converted.metadata["format"] == "pt")
        #expect(summary.tensorCount == original.keys.count)
        for key in original.keys {
            #expect(converted.info(key)?.dtype == original.info(key)?.dtype)
            #expect(try converted.rawBytes(key) == original.rawBytes(key), "\(key)")
        }
    }

    @Test func converterKeepsDtypesUnlessAskedAndHandlesViews() throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let input = scratch.file("in")
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: WeightsFixtures.path("torch/tensors.bin"), toPath: input + "/pytorch_model.bin")
        try Data("{}".utf8).write(to: URL(fileURLWithPath: input + "/tokenizer.json"))
        let original = try WeightStore.open(directory: input)

        try WeightConverter.convert(directory: input, to: scratch.file("same"))
        let same = try WeightStore.open(directory: scratch.file("same"))
        for key in original.keys {
            #expect(same.info(key)?.dtype == original.info(key)?.dtype, "\(key)")
            #expect(try same.rawBytes(key) == original.rawBytes(key), "\(key)")
        }
        #expect(FileManager.default.fileExists(atPath: scratch.file("same/tokenizer.json")))

        try WeightConverter.convert(directory: input, to: scratch.file("f16"), floatType: .f16)
        let half = try WeightStore.open(directory: scratch.file("f16"))
        #expect(half.info("plain")?.dtype == .f16)
        #expect(half.info("bfloat")?.dtype == .f16)
        #expect(half.info("long")?.dtype == .i64)
        let plain = try original.tensor("plain").storage
        #expect(try half.tensor("plain").storage == plain.map { Float(Float16($0)) })

        let error = modelError { try WeightConverter.convert(directory: input, to: input + "/.") }
        #expect(error?.isInvalidArgument == true)
        #expect(modelError { try WeightConverter.convert(directory: input, to: scratch.file("x"), floatType: .i8) }?
            .isInvalidArgument == true)
    }
}
