import Foundation
import LMModel
import LMTensor
import LMInput
import Testing

/// Reading numpy `.npz` archives written by numpy itself (`savez`, `savez_compressed`), malformed ones
/// built by the generator, and the deflate decoder under them against streams zlib wrote.
@Suite struct WeightsNumpyTests {
    static let archives = ["npz/arrays.npz", "npz/arrays-compressed.npz"]

    @Test(arguments: archives)
    func arraysMatchNumpyExactly(file: String) throws {
        let path = WeightsFixtures.path(file)
        let store = try WeightStore.open(files: [path])
        let golden = try WeightsFixtures.expected("npz/arrays.expected.json")
        #expect(store.keys == golden.keys.sorted())
        #expect(store.metadata.isEmpty)
        for (key, g) in golden {
            let info = try #require(store.info(key), "\(key)")
            #expect(info.dtype.rawValue == g.dtype, "\(key)")
            #expect(info.shape == g.shape, "\(key)")
            #expect(info.file == path)
            if let values = g.values {
                let t = try store.tensor(key, shape: g.shape)
                expectBitEqual(t.storage, values, "\(file): \(key)")
                let buffer = try store.buffer(key, shape: g.shape)
                expectBitEqual((0..<buffer.count).map { buffer[$0] }, values, "\(file): \(key) (buffer)")
                // A second read sees the same values: releasing pages after a read must not drop the
                // only copy of inflated bytes.
                expectBitEqual(try store.tensor(key).storage, values, "\(file): \(key) (read again)")
            } else {
                let error = modelError { _ = try store.tensor(key) }
                #expect(error?.isUnsupported == true)
                #expect(error?.description.contains("tensor '\(key)' has dtype \(info.dtype.rawValue)") == true)
            }
        }
    }

    @Test func savezStoresAndSavezCompressedDeflates() throws {
        // Method field of the first local header: the two fixtures exercise both paths.
        #expect(try WeightsFixtures.bytes("npz/arrays.npz")[8] == 0)
        #expect(try WeightsFixtures.bytes("npz/arrays-compressed.npz")[8] == 8)
    }

    @Test func dottedNamesScalarsAndEmptyArrays() throws {
        let store = try WeightStore.open(files: [WeightsFixtures.path("npz/arrays-compressed.npz")])
        let rnn = store.scope("encoder").scope("rnn")
        #expect(try rnn.tensor("weight_ih_l0", shape: [8, 4]).shape == [8, 4])
        #expect(store.info("scalar")?.shape == [])
        #expect(try store.tensor("scalar").storage == [Float(-0.3)])
        #expect(try store.tensor("scalar_f32").storage == [1.5])
        #expect(try store.tensor("empty", shape: [0, 4]).storage.isEmpty)
    }

    @Test func float64RoundsToNearestFloat32() throws {
        let store = try WeightStore.open(files: [WeightsFixtures.path("npz/arrays.npz")])
        let values = try store.tensor("f64_special").storage
        #expect(values[2] == 1.0)                          // 1 + 2^-24: a tie, to even
        #expect(values[3] == 1 + 2 * Float.ulpOfOne)       // 1 + 3 * 2^-24: a tie, to even (up)
        #expect(values[6] == .infinity)                    // 3.5e38 overflows
        #expect(values[7] == 0)                            // 1e-46 underflows
        #expect(values[8] == Float.leastNonzeroMagnitude)  // 1.4e-45
        #expect(values[11].isNaN)
        #expect(values[13] == 0 && values[13].sign == .minus)
    }

    @Test func folderWhoseOnlyCheckpointIsModelNpz() throws {
        let folder = WeightsFixtures.path("npz/folder")
        let store = try WeightStore.open(directory: folder)
        #expect(store.source == folder + "/model.npz")
        let golden = try WeightsFixtures.expected("npz/arrays.expected.json")
        #expect(store.keys == golden.keys.sorted())
        let g = try #require(golden["encoder.rnn.weight_ih_l0"]?.values)
        expectBitEqual(try store.tensor("encoder.rnn.weight_ih_l0").storage, g, "folder")
        #expect(WeightStore.checkpointNames.last == "model.npz")
    }

    @Test func modelNpzHasTheLowestPriority() throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        try scratch.write("model.npz", try WeightsFixtures.bytes("npz/arrays.npz"))
        try scratch.write("model.safetensors", try WeightsFixtures.bytes("dtypes.safetensors"))
        let store = try WeightStore.open(directory: scratch.path)
        #expect(store.source == scratch.file("model.safetensors"))
        #expect(store.contains("f32") && !store.contains("scalar_f32"))
    }

    @Test(arguments: ["version-2", "version-3", "valid-deflated"])
    func otherValidArchives(name: String) throws {
        let path = WeightsFixtures.path("npz/malformed/\(name).npz")
        let store = try WeightStore.open(files: [path])
        #expect(store.keys == ["w"])  // "notes.txt" in valid-deflated is not an array: skipped
        #expect(try store.tensor("w", shape: [2, 3]).storage == [0, 1, 2, 3, 4, 5])
    }

    @Test func unalignedStoredArraysReadExactly() throws {
        // Data offset 30 + 5 (name) + 64 (npy header) = 99 and 163 + ...: odd, so no element is aligned.
        let f32: [Float] = [1.5, -2.25, 3e-38, .infinity, 7]
        let f64: [Double] = [0.1, -1e300, 1 + 0x1p-24, 42, -0.5, 3, 5, 7, 9]
        let f16: [Float16] = [1, -0.5, 65504, 0.000061]
        func npy(_ descr: String, _ shape: String, _ data: [UInt8]) -> [UInt8] {
            var header = Array("{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }".utf8)
            header += [UInt8](repeating: 0x20, count: 63 - (10 + header.count) % 64) + [0x0A]
            let length = UInt16(header.count)
            return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + header + data
        }
        let archive = ZipBuilder.make([
            ("a.npy", npy("<f4", "(5,)", float32Bytes(f32))),
            ("b.npy", npy("<f8", "(3, 3)", f64.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } })),
            ("c.npy", npy("<f2", "(4,)", f16.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } })),
        ])
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let store = try WeightStore.open(files: [try scratch.write("unaligned.npz", archive)])
        expectBitEqual(try store.tensor("a").storage, f32, "a")
        expectBitEqual(try store.tensor("b", shape: [3, 3]).storage, f64.map { Float($0) }, "b")
        expectBitEqual(try store.tensor("c").storage, f16.map { Float($0) }, "c")
    }

    @Test func emptyArchiveNamedNpzHasNoTensors() throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let store = try WeightStore.open(files: [try scratch.write("empty.npz", ZipBuilder.make([]))])
        #expect(store.keys.isEmpty)
    }

    struct Malformed: CustomStringConvertible, Sendable {
        let name: String
        let message: String
        var unsupported = false
        var description: String { name }
    }

    static let malformed: [Malformed] = [
        Malformed(name: "truncated", message: "zip end-of-central-directory record not found"),
        Malformed(name: "bad-magic", message: "array 'w': not a .npy array (the data does not start with \\x93NUMPY)"),
        Malformed(name: "bad-version", message: "array 'w': .npy format version 4.0", unsupported: true),
        Malformed(name: "fortran-order", message: "array 'w': stored in Fortran (column-major) order",
                  unsupported: true),
        Malformed(name: "big-endian", message: "array 'w': big-endian dtype '>f4'", unsupported: true),
        Malformed(name: "object-array", message: "array 'w': an object array (dtype '|O'", unsupported: true),
        Malformed(name: "bad-header-syntax", message: "array 'w': bad .npy header literal: expected ',' or '}' at character 16"),
        Malformed(name: "bad-header-keys", message: "array 'w': .npy header has keys 'descr', 'fortran_order', 'shape', "
            + "'extra'; expected exactly 'descr', 'fortran_order' and 'shape'"),
        Malformed(name: "bad-header-negative", message: "bad .npy header literal: negative dimension"),
        Malformed(name: "bad-header-not-tuple", message: "bad .npy header literal: (n) is an integer, not a tuple"),
        Malformed(name: "bad-header-trailing", message: "bad .npy header literal: unexpected text after the dict"),
        Malformed(name: "size-mismatch", message: "array 'w': shape (2, 3) of '<f4' needs 24 bytes of data but the "
            + ".npy holds 20 (truncated)"),
        Malformed(name: "shape-overflow", message: "array 'w': shape (4294967296, 4294967296) of '<f8' overflows"),
        Malformed(name: "deflate-reserved-type", message: "zip entry 'w.npy': corrupt deflate stream: reserved block type 3"),
        Malformed(name: "deflate-distance-too-far", message: "corrupt deflate stream: distance 1 reaches before the "
            + "start of the output (0 bytes written)"),
        Malformed(name: "deflate-oversubscribed", message: "corrupt deflate stream: code-length code: over-subscribed "
            + "Huffman code"),
        Malformed(name: "deflate-incomplete", message: "corrupt deflate stream: literal/length code: incomplete Huffman code"),
        Malformed(name: "deflate-stored-length", message: "corrupt deflate stream: stored block length 5 does not match "
            + "its complement 0"),
        Malformed(name: "deflate-truncated", message: "zip entry 'w.npy': truncated deflate stream"),
        Malformed(name: "crc-mismatch", message: "zip entry 'w.npy': CRC-32 of the inflated bytes is 0x"),
        Malformed(name: "size-smaller", message: "zip entry 'w.npy': the deflate stream inflates to more than the 136 "
            + "bytes the zip directory declares"),
        Malformed(name: "size-larger", message: "zip entry 'w.npy': the deflate stream ends after 152 bytes, but the "
            + "zip directory declares 168"),
        Malformed(name: "size-impossible", message: "zip entry 'w.npy': declares 1000000000 uncompressed bytes, more "
            + "than"),
        Malformed(name: "method-bzip2", message: "zip entry 'w.npy' is compressed with method 12; only stored (0) and "
            + "deflated (8) entries can be read", unsupported: true),
    ]

    @Test(arguments: malformed)
    func malformedArchivesFailClearly(_ c: Malformed) throws {
        let path = WeightsFixtures.path("npz/malformed/\(c.name).npz")
        let error = modelError { _ = try WeightStore.open(files: [path]) }
        #expect(error?.description.contains(c.message) == true, "\(c.name): \(error?.description ?? "no error")")
        #expect(error?.description.hasPrefix(path + ": ") == true, "\(c.name): names the file")
        #expect(c.unsupported ? error?.isUnsupported == true : error?.isFormat == true, "\(c.name): error kind")
    }

    @Test func malformedFixturesAreAllCovered() throws {
        let folder = WeightsFixtures.path("npz/malformed")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".npz") }.map { String($0.dropLast(4)) }
        let valid: Set = ["version-2", "version-3", "valid-deflated"]
        #expect(Set(names).subtracting(valid) == Set(Self.malformed.map(\.name)))
    }

    @Test func everyTruncationFailsCleanly() throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        for file in Self.archives {
            let bytes = try WeightsFixtures.bytes(file)
            for length in stride(from: 0, to: bytes.count, by: 7) {
                let path = try scratch.write("cut.npz", Array(bytes.prefix(length)))
                #expect(throws: InputError.self, "\(file) cut at \(length)") { _ = try WeightStore.open(files: [path]) }
            }
        }
    }

    @Test func everySingleByteCorruptionFailsCleanlyOrLoads() throws {
        // Stored entries carry no checked CRC (they are not read at open), so some flips load: then every
        // tensor must still have its declared size.
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        for file in Self.archives {
            let bytes = try WeightsFixtures.bytes(file)
            for i in stride(from: 0, to: bytes.count, by: 5) {
                var damaged = bytes
                damaged[i] ^= 0xA5
                let path = try scratch.write("flip.npz", damaged)
                do {
                    let store = try WeightStore.open(files: [path])
                    for key in store.keys {
                        guard let info = store.info(key), let t = try? store.tensor(key) else { continue }
                        #expect(t.storage.count == info.shape.reduce(1, *))
                    }
                } catch let error as InputError {
                    #expect(error.description.hasPrefix(path + ": "), "\(file) flip at \(i): \(error)")
                }
            }
        }
    }

    @Test func torchStillRefusesDeflatedEntries() throws {
        let error = modelError { _ = try WeightStore.open(files: [WeightsFixtures.path("torch/compressed.bin")]) }
        #expect(error?.isUnsupported == true)
        #expect(error?.description.contains("is compressed (method 8); only stored entries, as torch.save writes them") == true)
    }
}

/// The deflate decoder against raw streams zlib wrote (stored, fixed and dynamic blocks) and against
/// damaged streams, which must fail with an error, never a trap.
@Suite struct WeightsInflateTests {
    struct Part: Decodable {
        let kind: String
        let seed: UInt64
        let length: Int
    }

    struct Case: Decodable {
        let parts: [Part]
        let length: Int
        let crc32: UInt32
    }

    struct CaseFile: Decodable {
        let tensors: [String: Case]
    }

    static func cases() throws -> [String: Case] {
        let data = try Data(contentsOf: URL(fileURLWithPath: WeightsFixtures.path("npz/deflate/deflate.expected.json")))
        return try JSONDecoder().decode(CaseFile.self, from: data).tensors
    }

    /// The generator's LCG data (Tests/Generator/gen_weights.py `lcg_bytes`).
    static func lcgBytes(_ part: Part) -> [UInt8] {
        let words = ["the", "model", "weights", "of", "a", "small", "encoder", "decoder", "numpy", "archive",
                     "with", "deflate", "blocks", "and", "tensors", "zip"].map { Array($0.utf8) }
        var x = part.seed
        func next() -> UInt64 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return x
        }
        var out: [UInt8] = []
        if part.kind == "random" {
            for _ in 0..<part.length { out.append(UInt8(next() >> 56)) }
        } else {
            while out.count < part.length { out += words[Int((next() >> 33) % UInt64(words.count))] + [0x20] }
        }
        return Array(out.prefix(part.length))
    }

    static let names = ["random-l0", "random-l1", "random-l9", "text-l0", "text-l1", "text-l9", "mixed"]

    @Test(arguments: names)
    func zlibStreamsInflateExactly(name: String) throws {
        let c = try #require(try Self.cases()[name])
        let expected = c.parts.flatMap(Self.lcgBytes)
        #expect(expected.count == c.length)
        let stream = try WeightsFixtures.bytes("npz/deflate/\(name).deflate")
        let output = try Inflate.inflate(stream, uncompressedSize: c.length, what: name)
        let firstDifference = output.indices.first { $0 < expected.count && output[$0] != expected[$0] }
        #expect(output == expected, "\(name): first difference at \(firstDifference ?? -1)")
    }

    @Test func everyCaseIsTested() throws {
        #expect(try Self.cases().keys.sorted() == Self.names.sorted())
    }

    @Test func handMadeStreams() throws {
        // A fixed block holding only end-of-block; a stored block "abc".
        #expect(try Inflate.inflate([0x03, 0x00], uncompressedSize: 0, what: "t").isEmpty)
        #expect(try Inflate.inflate([0x01, 0x03, 0x00, 0xFC, 0xFF] + Array("abc".utf8), uncompressedSize: 3,
                                    what: "t") == Array("abc".utf8))
        let cases: [([UInt8], Int, String)] = [
            ([], 0, "t: truncated deflate stream"),
            ([0x03, 0x00], 1, "t: the deflate stream ends after 0 bytes, but the zip directory declares 1"),
            ([0x01, 0x03, 0x00, 0xFC, 0xFF] + Array("abc".utf8), 2, "inflates to more than the 2 bytes"),
            ([0x01, 0x03, 0x00, 0xFC, 0xFF, 0x61], 3, "t: truncated deflate stream"),
            ([0x07], 0, "reserved block type 3"),
        ]
        for (stream, size, message) in cases {
            let error = modelError { _ = try Inflate.inflate(stream, uncompressedSize: size, what: "t") }
            #expect(error?.isFormat == true && error?.description.contains(message) == true,
                    "\(stream): \(error?.description ?? "no error")")
        }
    }

    @Test func damagedStreamsFailWithoutTrapping() throws {
        let c = try #require(try Self.cases()["mixed"])
        let stream = try WeightsFixtures.bytes("npz/deflate/mixed.deflate")
        // Every proper prefix is truncated (or, cut inside a stored block's data, short of output).
        for cut in stride(from: 0, to: stream.count, by: 7) {
            let error = modelError { _ = try Inflate.inflate(Array(stream[..<cut]), uncompressedSize: c.length, what: "t") }
            #expect(error?.isFormat == true, "cut at \(cut)")
        }
        // Flipped bits decode to an error or to some output of the declared size; what matters is that
        // nothing traps and nothing is written out of bounds.
        for position in stride(from: 0, to: stream.count, by: 5) {
            var damaged = stream
            damaged[position] ^= UInt8(1 << (position % 8))
            do {
                let output = try Inflate.inflate(damaged, uncompressedSize: c.length, what: "t")
                #expect(output.count == c.length)
            } catch let error as InputError {
                #expect(error.isFormat, "flip at \(position): \(error)")
            }
        }
    }
}
