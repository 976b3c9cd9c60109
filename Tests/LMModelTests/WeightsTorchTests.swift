import Foundation
import LMModel
import LMTensor
import Testing

/// Reading PyTorch checkpoints written by `torch.save` (zip and legacy formats) and transformers-style
/// `pytorch_model.bin` folders, against the goldens and the safetensors version of the same model.
@Suite struct WeightsTorchTests {
    @Test(arguments: ["torch/tensors.bin", "torch/tensors-legacy.bin", "torch/tensors-protocol5.bin"])
    func tensorsMatchTorchExactly(file: String) throws {
        let path = WeightsFixtures.path(file)
        let store = try WeightStore.open(files: [path])
        let golden = try WeightsFixtures.expected("torch/tensors.expected.json")
        #expect(store.keys == golden.keys.sorted())
        for (key, g) in golden {
            let info = try #require(store.info(key), "\(key)")
            #expect(info.dtype.rawValue == g.dtype, "\(key)")
            #expect(info.shape == g.shape, "\(key)")
            #expect(info.file == path)
            if let values = g.values {
                let t = try store.tensor(key, shape: g.shape)
                expectBitEqual(t.storage, values, "\(file): \(key)")
            } else {
                #expect(modelError { _ = try store.tensor(key) }?.isUnsupported == true)
            }
        }
    }

    @Test(arguments: ["torch/nested.bin", "torch/nested-legacy.bin"])
    func onlyTopLevelTensorsAreWeights(file: String) throws {
        let store = try WeightStore.open(files: [WeightsFixtures.path(file)])
        let golden = try WeightsFixtures.expected("torch/nested.expected.json")
        #expect(store.keys == ["v", "w"])
        for (key, g) in golden {
            expectBitEqual(try store.tensor(key, shape: g.shape).storage, g.values ?? [], "\(file): \(key)")
        }
    }

    @Test func rawBytesOfViewsAreContiguous() throws {
        let store = try WeightStore.open(files: [WeightsFixtures.path("torch/tensors.bin")])
        // "long" is arange(5) as int64: raw bytes are the row-major little-endian values.
        let long = try store.rawBytes("long")
        let values = stride(from: 0, to: long.count, by: 8).map { i in
            long[i..<(i + 8)].reversed().reduce(0) { $0 << 8 | Int($1) }
        }
        #expect(values == [0, 1, 2, 3, 4])
        // A transposed view comes out transposed, not in storage order.
        let transposed = try store.tensor("transposed", shape: [4, 6])
        let sliced = try store.tensor("sliced", shape: [3, 4])
        #expect(transposed.storage[0 * 6 + 2] == sliced.storage[0])
        #expect(transposed.storage[3 * 6 + 4] == sliced.storage[2 * 4 + 3])
    }

    @Test func marianBinMatchesSafetensors() throws {
        let bin = try WeightStore.open(directory: WeightsFixtures.path("marian-bin"))
        let safetensors = try WeightStore.open(directory: WeightsFixtures.path("marian-safetensors"))
        #expect(bin.source.hasSuffix("marian-bin/pytorch_model.bin"))
        // transformers 5 leaves tied and computed weights out of model.safetensors; the .bin has them all.
        #expect(Set(safetensors.keys).isSubset(of: Set(bin.keys)))
        for key in safetensors.keys {
            #expect(try bin.tensor(key) == safetensors.tensor(key), "\(key)")
        }
        let shared = try bin.tensor("model.shared.weight")
        #expect(try bin.tensor("lm_head.weight") == shared)
        #expect(try bin.tensor("model.decoder.embed_tokens.weight") == shared)
        try checkMarian(bin, expectAllKeys: true)
    }

    @Test func shardedBinMatchesSingleBin() throws {
        let single = try WeightStore.open(directory: WeightsFixtures.path("marian-bin"))
        let sharded = try WeightStore.open(directory: WeightsFixtures.path("marian-sharded-bin"))
        #expect(sharded.keys == single.keys)
        #expect(Set(sharded.keys.compactMap { sharded.info($0)?.file }).count == 3)
        for key in single.keys {
            #expect(try sharded.tensor(key) == single.tensor(key), "\(key)")
        }
    }

    @Test func safetensorsIsPreferredOverBin() throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let fm = FileManager.default
        try fm.copyItem(atPath: WeightsFixtures.path("marian-bin/pytorch_model.bin"), toPath: scratch.file("pytorch_model.bin"))
        #expect(try WeightStore.open(directory: scratch.path).source == scratch.file("pytorch_model.bin"))
        try fm.copyItem(atPath: WeightsFixtures.path("marian-safetensors/model.safetensors"),
                        toPath: scratch.file("model.safetensors"))
        #expect(try WeightStore.open(directory: scratch.path).source == scratch.file("model.safetensors"))
    }

    @Test func storedZipWrittenByOtherToolsIsRead() throws {
        // The same entries rewritten by a generic zip writer: no alignment, no data descriptors, no ZIP64.
        let original = try WeightStore.open(files: [WeightsFixtures.path("torch/tensors.bin")])
        let entries = try zipEntries(of: WeightsFixtures.bytes("torch/tensors.bin"))
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        for zip64 in [false, true] {
            let path = try scratch.write("rezipped-\(zip64).bin", ZipBuilder.make(entries, zip64: zip64))
            let store = try WeightStore.open(files: [path])
            #expect(store.keys == original.keys)
            for key in original.keys where original.info(key)?.dtype.isReadableAsFloat == true {
                #expect(try store.tensor(key) == original.tensor(key), "\(key)")
            }
        }
    }
}
