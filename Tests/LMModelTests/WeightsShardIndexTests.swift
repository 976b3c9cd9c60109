import Foundation
import LMModel
import LMTensor
import Testing

/// Sharded checkpoints: the index must name existing shards inside the model folder that hold the keys
/// it maps to them.
@Suite struct WeightsShardIndexTests {
    /// A folder with two small safetensors shards (a: "x", b: "y") and the given index text.
    static func folder(index: String, indexName: String = "model.safetensors.index.json") throws -> ScratchFolder {
        let scratch = try ScratchFolder()
        try SafetensorsWriter.write(tensors: [("x", Tensor(shape: [2], storage: [1, 2]))], to: scratch.file("a.safetensors"))
        try SafetensorsWriter.write(tensors: [("y", Tensor(shape: [1], storage: [3]))], to: scratch.file("b.safetensors"))
        try scratch.write(indexName, Array(index.utf8))
        return scratch
    }

    @Test func validIndexOpensBothShards() throws {
        let scratch = try Self.folder(index: #"{"metadata":{"total_size":12},"weight_map":{"x":"a.safetensors","y":"b.safetensors"}}"#)
        defer { scratch.cleanup() }
        let store = try WeightStore.open(directory: scratch.path)
        #expect(store.keys == ["x", "y"])
        #expect(store.info("x")?.file == scratch.file("a.safetensors"))
        #expect(try store.tensor("y").storage == [3])
    }

    @Test func keysTheMapOmitsAreStillLoaded() throws {
        let scratch = try Self.folder(index: #"{"weight_map":{"x":"a.safetensors"}}"#)
        defer { scratch.cleanup() }
        // Only a.safetensors is named, so "y" (in b) is not part of the checkpoint.
        #expect(try WeightStore.open(directory: scratch.path).keys == ["x"])
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let index: String
        let message: String
        var io = false
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "parent-directory escape", index: #"{"weight_map":{"x":"../a.safetensors"}}"#,
             message: "weight_map entry 'x' names shard '../a.safetensors', which is not a file inside the model folder"),
        Case(name: "escape in the middle", index: #"{"weight_map":{"x":"sub/../../a.safetensors"}}"#,
             message: "names shard 'sub/../../a.safetensors'"),
        Case(name: "absolute path", index: #"{"weight_map":{"x":"/etc/passwd"}}"#, message: "names shard '/etc/passwd'"),
        Case(name: "empty name", index: #"{"weight_map":{"x":""}}"#, message: "names shard ''"),
        Case(name: "missing shard", index: #"{"weight_map":{"x":"c.safetensors"}}"#,
             message: "shard 'c.safetensors' is missing from", io: true),
        Case(name: "key not in its shard", index: #"{"weight_map":{"x":"a.safetensors","z":"b.safetensors"}}"#,
             message: "weight_map puts tensor 'z' in 'b.safetensors', but that shard does not contain it"),
        Case(name: "key mapped to the wrong shard", index: #"{"weight_map":{"x":"b.safetensors","y":"b.safetensors"}}"#,
             message: "weight_map puts tensor 'x' in 'b.safetensors', but that shard does not contain it"),
        Case(name: "no weight_map", index: #"{"metadata":{}}"#, message: "no 'weight_map'"),
        Case(name: "weight_map not an object", index: #"{"weight_map":["a.safetensors"]}"#,
             message: "'weight_map' is an array, expected an object"),
        Case(name: "shard name not a string", index: #"{"weight_map":{"x":1}}"#,
             message: "weight_map entry 'x' is a number, expected a file name"),
        Case(name: "duplicate keys", index: #"{"weight_map":{"x":"a.safetensors","x":"b.safetensors"}}"#,
             message: "duplicate member 'x'"),
        Case(name: "not JSON", index: "weight_map = {}", message: "not valid JSON"),
        Case(name: "not an object", index: "[]", message: "expected a JSON object, found an array"),
    ]

    @Test(arguments: cases)
    func badIndexIsRejected(_ c: Case) throws {
        let scratch = try Self.folder(index: c.index)
        defer { scratch.cleanup() }
        let error = modelError { _ = try WeightStore.open(directory: scratch.path) }
        #expect(c.io ? error?.isIO == true : error?.isFormat == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix(scratch.file("model.safetensors.index.json") + ": ") == true,
                "\(String(describing: error))")
        #expect(error?.description.contains(c.message) == true, "\(String(describing: error))")
    }

    @Test func sameKeyInTwoUnmappedShardsIsAmbiguous() throws {
        let scratch = try Self.folder(index: #"{"weight_map":{"x":"a.safetensors","y":"b.safetensors"}}"#)
        defer { scratch.cleanup() }
        try SafetensorsWriter.write(tensors: [("y", Tensor(shape: [1], storage: [3])), ("w", Tensor(shape: [1], storage: [4]))],
                                    to: scratch.file("b.safetensors"))
        try SafetensorsWriter.write(tensors: [("x", Tensor(shape: [1], storage: [1])), ("w", Tensor(shape: [1], storage: [5]))],
                                    to: scratch.file("a.safetensors"))
        let error = modelError { _ = try WeightStore.open(directory: scratch.path) }
        #expect(error?.description.contains("tensor 'w' is in shards 'a.safetensors' and 'b.safetensors'") == true,
                "\(String(describing: error))")
    }

    @Test func binIndexIsUsedWhenNoSafetensorsExist() throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        try FileManager.default.copyItem(atPath: WeightsFixtures.path("torch/tensors.bin"), toPath: scratch.file("part.bin"))
        try scratch.write("pytorch_model.bin.index.json", Array(#"{"weight_map":{"plain":"part.bin"}}"#.utf8))
        let store = try WeightStore.open(directory: scratch.path)
        #expect(store.source == scratch.file("pytorch_model.bin.index.json"))
        #expect(store.contains("plain") && store.contains("half"))
    }
}
