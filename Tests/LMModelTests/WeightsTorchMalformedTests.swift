import Foundation
import LMModel
import LMTensor
import Testing
import LMInput

/// Hostile and damaged PyTorch checkpoints: refused with a clear error, never executed, never a crash.
@Suite(.serialized) struct WeightsTorchMalformedTests {
    static let marker = "/tmp/lmcore-weights-malicious-marker"

    @Test(arguments: [
        ("torch/malicious-system.bin", "pickle global 'posix.system' is not allowed"),
        ("torch/malicious-system-legacy.bin", "pickle global 'posix.system' is not allowed"),
        ("torch/malicious-eval.bin", "pickle global 'builtins.eval' is not allowed"),
        ("torch/malicious-raw.pkl", "pickle global 'posix.system' is not allowed"),
    ])
    func maliciousPickleIsRefusedWithoutRunning(file: String, message: String) throws {
        try? FileManager.default.removeItem(atPath: Self.marker)
        let path = WeightsFixtures.path(file)
        let error = modelError { _ = try WeightStore.open(files: [path]) }
        #expect(error?.isUnsupported == true)
        #expect(error?.description.hasPrefix("refusing to load \(path): ") == true, "\(String(describing: error))")
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: Self.marker), "the pickle's command ran")
    }

    @Test func maliciousFileInAFolderIsRefused() throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        try FileManager.default.copyItem(atPath: WeightsFixtures.path("torch/malicious-system.bin"),
                                         toPath: scratch.file("pytorch_model.bin"))
        let error = modelError { _ = try WeightStore.open(directory: scratch.path) }
        #expect(error?.description.contains("'posix.system' is not allowed") == true)
        #expect(!FileManager.default.fileExists(atPath: Self.marker))
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let bytes: @Sendable () throws -> [UInt8]
        let message: String
        var unsupported = false
        var testDescription: String { name }
    }

    static func fixture(_ name: String) throws -> [UInt8] { try WeightsFixtures.bytes(name) }

    /// Replaces every occurrence of `from` by `to` (same length) in `bytes`.
    static func patch(_ bytes: [UInt8], _ from: String, _ to: String) -> [UInt8] {
        let f = Array(from.utf8), t = Array(to.utf8)
        var out = bytes
        var i = 0
        while i + f.count <= out.count {
            if Array(out[i..<(i + f.count)]) == f { out.replaceSubrange(i..<(i + f.count), with: t); i += f.count } else { i += 1 }
        }
        return out
    }

    static let sixteenFloats = float32Bytes((0..<16).map(Float.init))

    static let cases: [Case] = [
        Case(name: "zip truncated to half", bytes: { Array(try fixture("torch/tensors.bin").prefix(1900)) },
             message: "zip end-of-central-directory record not found"),
        Case(name: "zip missing its last bytes", bytes: { Array(try fixture("torch/tensors.bin").dropLast(5)) },
             message: "end-of-central-directory record not found"),
        Case(name: "zip of 10 bytes", bytes: { [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0, 0, 0] },
             message: "truncated zip archive (10 bytes)"),
        Case(name: "bad central directory signature", bytes: {
            var b = try fixture("torch/tensors.bin")
            let i = try #require(b.indices.last { b[$0] == 0x50 && b[$0 + 1] == 0x4B && b[$0 + 2] == 1 && b[$0 + 3] == 2 })
            b[i + 2] = 9
            return b
        }, message: "bad zip central directory: entry"),
        Case(name: "central directory offset past the end", bytes: {
            var entries = ZipBuilder.make([("archive/data.pkl", PickleBuilder.stateDict([], storageCount: 0))])
            let n = entries.count
            entries.replaceSubrange((n - 6)..<(n - 2), with: ZipBuilder.u32(0x7FFF_0000))
            return entries
        }, message: "bad zip central directory: offset 2147418112"),
        Case(name: "local header missing", bytes: {
            var b = try fixture("torch/tensors.bin")
            // The second entry's local header (the first one also marks the file as a zip).
            let i = try #require(b.indices.dropFirst(4).first { b[$0] == 0x50 && b[$0 + 1] == 0x4B && b[$0 + 2] == 3 && b[$0 + 3] == 4 })
            b[i + 2] = 9
            return b
        }, message: "local header at "),
        Case(name: "entry data past the directory", bytes: {
            var b = ZipBuilder.make([("archive/data/0", sixteenFloats)])
            // Central size fields (compressed, uncompressed) at +20/+24 of the central header.
            let c = try #require(b.indices.first { b[$0] == 0x50 && b[$0 + 1] == 0x4B && b[$0 + 2] == 1 && b[$0 + 3] == 2 })
            b.replaceSubrange((c + 20)..<(c + 28), with: ZipBuilder.u32(4096) + ZipBuilder.u32(4096))
            return b
        }, message: "zip entry 'archive/data/0': 4096 bytes at offset 44 run past the entry area"),
        Case(name: "deflated entries", bytes: { try fixture("torch/compressed.bin") },
             message: "is compressed (method 8)", unsupported: true),
        Case(name: "encrypted entries", bytes: { ZipBuilder.make([("archive/data.pkl", [0x80, 2, 0x2E])], flags: 1) },
             message: "is encrypted", unsupported: true),
        Case(name: "zip without data.pkl", bytes: { ZipBuilder.make([("readme.txt", Array("hello".utf8))]) },
             message: "a zip archive but not a PyTorch checkpoint: no <name>/data.pkl entry"),
        Case(name: "duplicate entry names", bytes: { ZipBuilder.make([("a/x", [1]), ("a/x", [2])]) },
             message: "zip entry 'a/x' appears twice"),
        Case(name: "big-endian checkpoint", bytes: {
            torchZip(pickle: PickleBuilder.stateDict([], storageCount: 0), storages: [:],
                     extra: [("archive/byteorder", Array("big".utf8))])
        }, message: "saved with byte order 'big'", unsupported: true),
        Case(name: "storage record missing", bytes: {
            patch(try fixture("torch/tensors.bin"), "tensors/data/0", "tensors/data/Z")
        }, message: "its storage 'tensors/data/0' is missing from the archive"),
        Case(name: "storage offset out of range", bytes: {
            torchZip(pickle: PickleBuilder.stateDict([("w", 14, [4], [1])], storageCount: 16),
                     storages: ["0": sixteenFloats])
        }, message: "tensor 'w': view (offset 14, shape [4], strides [1]) reaches element 17 of storage '0', which holds 16"),
        Case(name: "strides out of range", bytes: {
            torchZip(pickle: PickleBuilder.stateDict([("w", 0, [4, 4], [5, 1])], storageCount: 16),
                     storages: ["0": sixteenFloats])
        }, message: "tensor 'w': view (offset 0, shape [4, 4], strides [5, 1]) reaches element 18"),
        Case(name: "stride overflow", bytes: {
            torchZip(pickle: PickleBuilder.stateDict([("w", 0, [2, 3], [0x7FFF_FFFF, 1])], storageCount: 16),
                     storages: ["0": sixteenFloats])
        }, message: "reaches element 2147483649"),
        Case(name: "expanded view larger than its storage", bytes: {
            torchZip(pickle: PickleBuilder.stateDict([("w", 0, [1000, 16], [0, 1])], storageCount: 16),
                     storages: ["0": sixteenFloats])
        }, message: "shape [1000, 16] addresses 16000 elements of a 16-element storage", unsupported: true),
        Case(name: "storage smaller than declared", bytes: {
            torchZip(pickle: PickleBuilder.stateDict([("w", 0, [4], [1])], storageCount: 32),
                     storages: ["0": sixteenFloats])
        }, message: "tensor 'w': storage '0' should hold 32 F32 elements but has 64 bytes"),
        Case(name: "pickle truncated", bytes: {
            torchZip(pickle: Array(PickleBuilder.stateDict([("w", 0, [4], [1])], storageCount: 16).dropLast(12)),
                     storages: ["0": sixteenFloats])
        }, message: "tensors.bin: archive/data.pkl: pickle truncated"),
        Case(name: "memo read before write", bytes: {
            torchZip(pickle: [0x80, 2, 0x68, 7, 0x2E], storages: [:])
        }, message: "pickle memo 7 is not set at byte 2"),
        Case(name: "stack underflow", bytes: { torchZip(pickle: [0x80, 2, 0x52, 0x2E], storages: [:]) },
             message: "pickle stack underflow"),
        Case(name: "unknown opcode", bytes: { torchZip(pickle: [0x80, 2, 0xFF, 0x2E], storages: [:]) },
             message: "unsupported pickle opcode 0xff at byte 2"),
        Case(name: "NEWOBJ", bytes: { torchZip(pickle: [0x80, 2, 0x4E, 0x29, 0x81, 0x2E], storages: [:]) },
             message: "pickle opcode 0x81 constructs arbitrary objects", unsupported: true),
        Case(name: "STACK_GLOBAL os.system", bytes: {
            var p = PickleBuilder()
            p.bytes[1] = 4
            p.string("os"); p.string("system"); p.op(0x93); p.stop()
            return torchZip(pickle: p.bytes, storages: [:])
        }, message: "pickle global 'os.system' is not allowed", unsupported: true),
        Case(name: "calling a storage type", bytes: {
            var p = PickleBuilder()
            p.global("torch", "FloatStorage"); p.emptyTuple(); p.reduce(); p.stop()
            return torchZip(pickle: p.bytes, storages: [:])
        }, message: "archive/data.pkl: torch.FloatStorage at byte 23: a storage type cannot be called"),
        Case(name: "rebuild with wrong arity", bytes: {
            var p = PickleBuilder()
            p.global("torch._utils", "_rebuild_tensor_v2"); p.mark(); p.int(1); p.tuple(); p.reduce(); p.stop()
            return torchZip(pickle: p.bytes, storages: [:])
        }, message: "torch._utils._rebuild_tensor_v2 at byte 39: expected [6, 7] arguments, got 1"),
        Case(name: "persistent id of the wrong kind", bytes: {
            var p = PickleBuilder()
            p.mark(); p.string("module"); p.tuple(); p.persistentID(); p.stop()
            return torchZip(pickle: p.bytes, storages: [:])
        }, message: "expected ('storage', type, key, location, numel), got a 1-tuple"),
        Case(name: "tuples nested a million deep", bytes: {
            torchZip(pickle: [0x80, 2, 0x4E] + [UInt8](repeating: 0x85, count: 1_000_000) + [0x2E], storages: [:])
        }, message: "pickle nests containers deeper than 100 levels at byte 103"),
        Case(name: "lists nested a million deep", bytes: {
            let n = 1_000_000
            return torchZip(pickle: [0x80, 2] + [UInt8](repeating: 0x5D, count: n) + [UInt8](repeating: 0x61, count: n - 1)
                + [0x2E], storages: [:])
        }, message: "pickle nests containers deeper than 100 levels"),
        Case(name: "two million empty lists on the stack", bytes: {
            torchZip(pickle: [0x80, 2] + [UInt8](repeating: 0x5D, count: 2_000_000) + [0x2E], storages: [:])
        }, message: "pickle holds more than 1048576 items on its stack"),
        Case(name: "two million marks", bytes: {
            torchZip(pickle: [0x80, 2] + [UInt8](repeating: 0x28, count: 2_000_000) + [0x4E, 0x2E], storages: [:])
        }, message: "pickle holds more than 1048576 items on its stack"),
        Case(name: "five million memo entries", bytes: {
            torchZip(pickle: [0x80, 4, 0x4E] + [UInt8](repeating: 0x94, count: 5_000_000) + [0x2E], storages: [:])
        }, message: "pickle memoizes more than 4194304 values"),
        Case(name: "list modified after use", bytes: {
            // L = []; T = (L,); L.append(1)
            torchZip(pickle: [0x80, 2, 0x5D, 0x71, 0, 0x85, 0x68, 0, 0x4B, 1, 0x61, 0x2E], storages: [:])
        }, message: "pickle modifies a list after using it at byte 10"),
        Case(name: "list inside itself", bytes: {
            // L = []; memo[0] = L; L.append(memo[0]): a cycle no reference count would free
            torchZip(pickle: [0x80, 2, 0x5D, 0x71, 0, 0x68, 0, 0x61, 0x2E], storages: [:])
        }, message: "pickle puts a list inside itself at byte 7"),
        Case(name: "dict inside itself", bytes: {
            // D = {}; memo[0] = D; D[1] = memo[0]
            torchZip(pickle: [0x80, 2, 0x7D, 0x71, 0, 0x4B, 1, 0x68, 0, 0x73, 0x2E], storages: [:])
        }, message: "pickle puts a dict inside itself at byte 9"),
        Case(name: "100,000 nested marks", bytes: {
            // 100,000 times (MARK, None), then 100,000 times (TUPLE, POP), then an int: each TUPLE once
            // copied every saved mark (quadratic, ~5 x 10^9 copies; regression safetensors/pickle-many-marks),
            // now it reads in linear time to the clear error below.
            var pickle: [UInt8] = [0x80, 2]
            for _ in 0..<100_000 { pickle += [0x28, 0x4E] }
            for _ in 0..<100_000 { pickle += [0x74, 0x30] }
            pickle += [0x4B, 3, 0x2E]
            return torchZip(pickle: pickle, storages: [:])
        }, message: "the checkpoint holds an int, not a state dict of tensors"),
        Case(name: "not a state dict", bytes: {
            var p = PickleBuilder()
            p.int(3); p.stop()
            return torchZip(pickle: p.bytes, storages: [:])
        }, message: "the checkpoint holds an int, not a state dict of tensors"),
        Case(name: "training checkpoint without tensors at the top", bytes: {
            var p = PickleBuilder()
            p.beginDict(); p.string("epoch"); p.int(3); p.endDict(); p.stop()
            return torchZip(pickle: p.bytes, storages: [:])
        }, message: "no tensors at the top level (keys: 'epoch')"),
        Case(name: "legacy file missing its last bytes", bytes: { Array(legacyTorchCheckpoint(values: [1, 2, 3]).dropLast(3)) },
             message: "storage '0': 3 elements at byte"),
        Case(name: "legacy file cut in a record header", bytes: {
            Array(legacyTorchCheckpoint(values: [1, 2, 3]).dropLast(12 + 3))
        }, message: "storage '0': record header missing at byte"),
        Case(name: "legacy file cut inside the pickles", bytes: { Array(try fixture("torch/tensors-legacy.bin").prefix(300)) },
             message: "(legacy format): pickle truncated"),
        Case(name: "pickle without the torch magic", bytes: { [0x80, 2, 0x4B, 1, 0x2E] },
             message: "a pickle but not a PyTorch checkpoint (magic number missing)"),
        Case(name: "tar checkpoint", bytes: {
            var b = [UInt8](repeating: 0, count: 1024)
            b.replaceSubrange(257..<262, with: Array("ustar".utf8))
            return b
        }, message: "a tar-format PyTorch checkpoint", unsupported: true),
        Case(name: "text named .bin", bytes: { Array("not a checkpoint at all".utf8) },
             message: "not a PyTorch checkpoint (neither a zip archive nor a pickle)"),
    ]

    @Test(arguments: cases)
    func damagedCheckpointIsRejected(_ c: Case) throws {
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let path = try scratch.write("tensors.bin", try c.bytes())
        let error = modelError { _ = try WeightStore.open(files: [path]) }
        #expect(c.unsupported ? error?.isUnsupported == true : error?.isFormat == true, "\(String(describing: error))")
        #expect(error?.description.contains(path) == true, "\(String(describing: error))")
        #expect(error?.description.contains(c.message) == true, "\(String(describing: error))")
    }

    @Test func handBuiltLegacyCheckpointLoads() throws {
        // Guards the builder the truncation cases above rely on.
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        let path = try scratch.write("legacy.bin", legacyTorchCheckpoint(values: [1, 2, 3]))
        #expect(try WeightStore.open(files: [path]).tensor("w").storage == [1, 2, 3])
    }

    @Test func everyTruncationOfACheckpointFailsCleanly() throws {
        // No prefix of a valid file may crash the readers; most must fail, and none may read garbage.
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        for file in ["torch/tensors.bin", "torch/tensors-legacy.bin", "dtypes.safetensors"] {
            let bytes = try WeightsFixtures.bytes(file)
            for length in stride(from: 0, to: bytes.count, by: 13) {
                let path = try scratch.write("cut-\(length)" + (file.hasSuffix(".bin") ? ".bin" : ".safetensors"),
                                             Array(bytes.prefix(length)))
                #expect(throws: InputError.self, "\(file) cut at \(length)") { _ = try WeightStore.open(files: [path]) }
                try FileManager.default.removeItem(atPath: path)
            }
        }
    }

    @Test func everySingleByteCorruptionFailsCleanlyOrLoads() throws {
        // Flipping any byte either is caught or still yields tensors of the declared sizes: never a trap.
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        for file in ["torch/tensors.bin", "torch/tensors-legacy.bin", "dtypes.safetensors"] {
            let bytes = try WeightsFixtures.bytes(file)
            for i in stride(from: 0, to: bytes.count, by: 11) {
                var damaged = bytes
                damaged[i] ^= 0xA5
                let path = try scratch.write("flip.bin", damaged)
                if let store = try? WeightStore.open(files: [path]) {
                    for key in store.keys {
                        guard let info = store.info(key), let t = try? store.tensor(key) else { continue }
                        #expect(t.storage.count == info.shape.reduce(1, *))
                    }
                }
            }
        }
    }
}
