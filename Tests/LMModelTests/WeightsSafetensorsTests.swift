import Foundation
import LMModel
import LMTensor
import Testing

/// Reading safetensors files written by the reference library (`safetensors.torch.save_file`).
@Suite struct WeightsSafetensorsTests {
    @Test func dtypesMatchTheReferenceExactly() throws {
        let store = try WeightStore.open(files: [WeightsFixtures.path("dtypes.safetensors")])
        let golden = try WeightsFixtures.expected("dtypes.expected.json")
        #expect(store.keys == golden.keys.sorted())
        #expect(store.metadata == ["format": "pt"])
        for (key, g) in golden {
            let info = try #require(store.info(key))
            #expect(info.dtype.rawValue == g.dtype, "\(key)")
            #expect(info.shape == g.shape, "\(key)")
            #expect(info.file == WeightsFixtures.path("dtypes.safetensors"))
            if let values = g.values {
                let t = try store.tensor(key, shape: g.shape)
                #expect(t.shape == g.shape)
                expectBitEqual(t.storage, values, key)
            }
        }
    }

    @Test func f64IsReadRoundedToFloat32() throws {
        // "f64" is "f32" widened, so rounding back to float32 is exact.
        let store = try WeightStore.open(files: [WeightsFixtures.path("dtypes.safetensors")])
        #expect(try store.tensor("f64") == store.tensor("f32"))
    }

    @Test(arguments: ["i64"])
    func nonFloatDtypesAreUnsupportedByName(key: String) throws {
        let store = try WeightStore.open(files: [WeightsFixtures.path("dtypes.safetensors")])
        let error = modelError { _ = try store.tensor(key) }
        #expect(error?.isUnsupported == true)
        #expect(error?.description.contains("tensor '\(key)'") == true)
        #expect(error?.description.contains("dtypes.safetensors") == true)
    }

    @Test func missingTensorNamesTheFileAndKey() throws {
        let path = WeightsFixtures.path("dtypes.safetensors")
        let store = try WeightStore.open(files: [path])
        let error = modelError { _ = try store.tensor("decoder.nope") }
        #expect(error == .format("\(path): tensor 'decoder.nope' is missing"))
        #expect(!store.contains("decoder.nope"))
        #expect(store.info("decoder.nope") == nil)
    }

    @Test func wrongShapeNamesFileTensorAndBothShapes() throws {
        let path = WeightsFixtures.path("dtypes.safetensors")
        let store = try WeightStore.open(files: [path])
        let error = modelError { _ = try store.tensor("f32", shape: [5, 3]) }
        #expect(error == .format("\(path): tensor 'f32' has shape [3, 5], expected [5, 3]"))
    }

    @Test func scopesPrefixKeys() throws {
        let store = try WeightStore.open(directory: WeightsFixtures.path("marian-safetensors"))
        let layer = store.scope("model.encoder").scope("layers.0")
        #expect(layer.prefix == "model.encoder.layers.0")
        #expect(layer.key("fc1.weight") == "model.encoder.layers.0.fc1.weight")
        #expect(layer.contains("fc1.weight"))
        #expect(!layer.contains("fc3.weight"))
        let fc1 = try layer.tensor("fc1.weight", shape: [32, 16])
        #expect(fc1 == (try store.tensor("model.encoder.layers.0.fc1.weight")))
        let attention = layer.scope("self_attn")
        #expect(try attention.optionalTensor("k_proj.bias", shape: [16]) != nil)
        #expect(try attention.optionalTensor("no_bias", shape: [16]) == nil)
        let error = modelError { _ = try attention.tensor("k_proj.weight", shape: [16, 8]) }
        #expect(error?.description.hasSuffix(
            "model.safetensors: tensor 'model.encoder.layers.0.self_attn.k_proj.weight' has shape [16, 16], expected [16, 8]") == true)
        #expect(store.scope("").key("final_logits_bias") == "final_logits_bias")
        #expect(attention.keys == ["k_proj.bias", "k_proj.weight", "out_proj.bias", "out_proj.weight",
                                   "q_proj.bias", "q_proj.weight", "v_proj.bias", "v_proj.weight"])
        #expect(store.scope("").keys == store.keys)
    }

    @Test func missingKeyUnderAnotherPrefixIsHinted() throws {
        let folder = WeightsFixtures.path("marian-safetensors")
        let store = try WeightStore.open(path: folder)
        let bare = modelError { _ = try store.tensor("encoder.layers.0.fc1.weight") }
        #expect(bare == .format("\(folder)/model.safetensors: tensor 'encoder.layers.0.fc1.weight' is missing "
            + "(the checkpoint has 'model.encoder.layers.0.fc1.weight')"))
        let file = try WeightStore.open(path: folder + "/model.safetensors")
        #expect(file.keys == store.keys)
    }

    @Test func marianFolderMatchesGoldens() throws {
        let store = try WeightStore.open(directory: WeightsFixtures.path("marian-safetensors"))
        try checkMarian(store, expectAllKeys: false)
    }

    @Test func shardedSafetensorsMatchTheSingleFile() throws {
        let single = try WeightStore.open(directory: WeightsFixtures.path("marian-safetensors"))
        let sharded = try WeightStore.open(directory: WeightsFixtures.path("marian-sharded-safetensors"))
        #expect(sharded.keys == single.keys)
        #expect(sharded.source.hasSuffix("model.safetensors.index.json"))
        let files = Set(sharded.keys.compactMap { sharded.info($0)?.file })
        #expect(files.count == 2)
        for key in single.keys {
            #expect(try sharded.tensor(key) == single.tensor(key), "\(key)")
        }
    }

    @Test func unknownEntryFieldsAreIgnoredAsTheReferenceDoes() throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let header = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"note":[1,{"x":null}]}}"#
        let path = try scratch.write("extra.safetensors", safetensorsBytes(header, data: float32Bytes([1.5, -2])))
        let store = try WeightStore.open(files: [path])
        #expect(try store.tensor("w").storage == [1.5, -2])
    }

    @Test func unalignedDataIsReadCorrectly() throws {
        // A header length that is not a multiple of 8 leaves the data unaligned.
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let values: [Float] = (0..<19).map { Float($0) * 0.25 - 1 }
        let half = values.flatMap { v in withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { Array($0) } }
        let bf16 = values.flatMap { v in withUnsafeBytes(of: UInt16(v.bitPattern >> 16).littleEndian) { Array($0) } }
        let f32 = float32Bytes(values)
        let header = #"{"a":{"dtype":"F16","shape":[19],"data_offsets":[0,38]},"#
            + #""b":{"dtype":"BF16","shape":[19],"data_offsets":[38,76]},"#
            + #""c":{"dtype":"F32","shape":[19],"data_offsets":[76,152]}} "#
        #expect(Array(header.utf8).count % 2 == 1)
        let path = try scratch.write("unaligned.safetensors", safetensorsBytes(header, data: half + bf16 + f32))
        let store = try WeightStore.open(files: [path])
        #expect(try store.tensor("a").storage == values)
        #expect(try store.tensor("b").storage == values)
        #expect(try store.tensor("c").storage == values)
    }

    @Test func duplicateKeysAcrossFilesAreRejected() throws {
        let path = WeightsFixtures.path("dtypes.safetensors")
        let error = modelError { _ = try WeightStore.open(files: [path, path]) }
        #expect(error?.description.contains("appears twice, in \(path) and in \(path)") == true)
    }

    @Test func folderWithoutCheckpointIsAnIOError() throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let error = modelError { _ = try WeightStore.open(directory: scratch.path) }
        #expect(error?.isIO == true)
        #expect(error?.description.contains("no checkpoint found") == true)
        #expect(modelError { _ = try WeightStore.open(directory: scratch.file("absent")) }?.isIO == true)
        #expect(modelError { _ = try WeightStore.open(files: []) }?.isInvalidArgument == true)
        #expect(modelError { _ = try WeightStore.open(files: [scratch.file("absent.safetensors")]) }?.isIO == true)
        #expect(modelError { _ = try WeightStore.open(files: [scratch.path]) }?.isIO == true)
    }

    @Test func storeIsUsableFromManyThreads() async throws {
        let store = try WeightStore.open(directory: WeightsFixtures.path("marian-safetensors"))
        let expected = try store.keys.map { try store.tensor($0) }
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask { try store.keys.map { try store.tensor($0) } == expected }
            }
            for try await same in group { #expect(same) }
        }
    }
}

/// Checks a Marian store against marian.expected.json (sum and first values of every tensor, from torch).
func checkMarian(_ store: WeightStore, expectAllKeys: Bool) throws {
    let golden = try WeightsFixtures.expected("marian.expected.json")
    if expectAllKeys {
        #expect(store.keys == golden.keys.sorted())
    } else {
        #expect(Set(store.keys).isSubset(of: Set(golden.keys)))
        #expect(store.keys.count >= 40)
    }
    for key in store.keys {
        let g = try #require(golden[key], "\(key) not in the golden file")
        let t = try store.tensor(key, shape: g.shape)
        let sum = t.storage.reduce(0.0) { $0 + Double($1) }
        #expect(abs(sum - (g.sum ?? .nan)) <= 1e-9 * max(1, abs(sum)), "\(key): sum \(sum) vs \(g.sum ?? .nan)")
        expectBitEqual(Array(t.storage.prefix(4)), (g.first ?? []).map { Float($0) }, key)
    }
}
