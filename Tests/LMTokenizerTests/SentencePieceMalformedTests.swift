import Foundation
import LMTokenizer
import Testing
import LMInput

/// Builds protobuf bytes for hand-made (and broken) SentencePiece models.
enum ProtoBytes {
    static func varint(_ v: UInt64) -> [UInt8] {
        var v = v, out: [UInt8] = []
        repeat {
            var b = UInt8(v & 0x7F)
            v >>= 7
            if v != 0 { b |= 0x80 }
            out.append(b)
        } while v != 0
        return out
    }
    static func key(_ field: UInt64, _ wire: UInt64) -> [UInt8] { varint(field << 3 | wire) }
    static func bytes(_ field: UInt64, _ payload: [UInt8]) -> [UInt8] { key(field, 2) + varint(UInt64(payload.count)) + payload }
    static func string(_ field: UInt64, _ s: String) -> [UInt8] { bytes(field, Array(s.utf8)) }
    static func int(_ field: UInt64, _ v: Int64) -> [UInt8] { key(field, 0) + varint(UInt64(bitPattern: v)) }
    static func float(_ field: UInt64, _ f: Float) -> [UInt8] {
        let b = f.bitPattern
        return key(field, 5) + [UInt8(b & 0xFF), UInt8(b >> 8 & 0xFF), UInt8(b >> 16 & 0xFF), UInt8(b >> 24)]
    }
    /// A `SentencePiece` message inside `ModelProto.pieces`.
    static func piece(_ p: String, _ score: Float = 0, type: Int64 = 1) -> [UInt8] {
        bytes(1, string(1, p) + float(2, score) + int(3, type))
    }
    /// A minimal valid unigram model: <unk> plus a few pieces.
    static func minimalModel(extraPieces: [UInt8] = [], trainer: [UInt8] = [], normalizer: [UInt8]? = nil) -> [UInt8] {
        piece("<unk>", 0, type: 2) + piece("\u{2581}a", -1) + piece("a", -2) + piece("\u{2581}", -3) + piece("b", -2)
            + extraPieces + bytes(2, int(3, 1) + trainer) + bytes(3, normalizer ?? (string(1, "identity") + int(3, 1)))
    }
}

@Suite struct SentencePieceMalformedTests {
    @Test func minimalModelWorks() throws {
        let sp = try SentencePieceProcessor(bytes: ProtoBytes.minimalModel())
        #expect(try sp.encodeIds("a ab") == [1, 1, 4])
        #expect(try sp.decode(ids: [1, 1, 4]) == "a ab")
    }

    static let malformed: [(String, [UInt8])] = [
        ("empty file", []),
        ("only a trainer spec", ProtoBytes.bytes(2, ProtoBytes.int(3, 1))),
        ("truncated varint", [0x0A, 0xFF]),
        ("length past the end", [0x0A, 0x64, 0x0A, 0x01]),
        ("overlong varint", [0x08] + [UInt8](repeating: 0xFF, count: 11) + [0x01]),
        ("wire type 7", [0x0F]),
        ("group wire type", [0x0B, 0x0C]),
        ("field number 0", [0x02, 0x00]),
        ("pieces as varint", ProtoBytes.int(1, 5) + ProtoBytes.minimalModel()),
        ("score as varint", ProtoBytes.bytes(1, ProtoBytes.string(1, "x") + ProtoBytes.int(2, 3)) + ProtoBytes.minimalModel()),
        ("unknown piece type", ProtoBytes.minimalModel(extraPieces: ProtoBytes.piece("c", -1, type: 9))),
        ("negative piece type", ProtoBytes.minimalModel(extraPieces: ProtoBytes.piece("c", -1, type: -1))),
        ("piece not UTF-8", ProtoBytes.minimalModel(extraPieces: ProtoBytes.bytes(1, ProtoBytes.bytes(1, [0xFF, 0xFE])))),
        ("empty piece", ProtoBytes.minimalModel(extraPieces: ProtoBytes.piece(""))),
        ("duplicate piece", ProtoBytes.minimalModel(extraPieces: ProtoBytes.piece("a", -5))),
        ("no unk", ProtoBytes.piece("a", -1) + ProtoBytes.bytes(2, ProtoBytes.int(3, 1))),
        ("two unks", ProtoBytes.minimalModel(extraPieces: ProtoBytes.piece("<unk2>", 0, type: 2))),
        ("byte piece without byte_fallback", ProtoBytes.minimalModel(extraPieces: ProtoBytes.piece("<0x41>", 0, type: 6))),
        ("byte_fallback without 256 byte pieces",
         ProtoBytes.minimalModel(extraPieces: ProtoBytes.piece("<0x41>", 0, type: 6), trainer: ProtoBytes.int(35, 1))),
        ("malformed byte piece",
         ProtoBytes.minimalModel(extraPieces: ProtoBytes.piece("<0xZZ>", 0, type: 6), trainer: ProtoBytes.int(35, 1))),
        ("unknown model type", ProtoBytes.minimalModel(trainer: ProtoBytes.int(3, 7))),
        ("charsmap too short", ProtoBytes.minimalModel(normalizer: ProtoBytes.bytes(2, [1, 0]))),
        ("charsmap trie past the end", ProtoBytes.minimalModel(normalizer: ProtoBytes.bytes(2, [0xFF, 0, 0, 0, 1, 2, 3, 4]))),
        ("unigram without normal pieces", ProtoBytes.piece("<unk>", 0, type: 2) + ProtoBytes.bytes(2, ProtoBytes.int(3, 1))),
    ]

    @Test(arguments: malformed.indices)
    func malformedModelThrowsFormatError(index: Int) {
        let (name, bytes) = Self.malformed[index]
        do {
            _ = try SentencePieceProcessor(bytes: bytes, name: name)
            Issue.record("\(name): loaded")
        } catch let e as InputError {
            guard case .format(let message) = e else { Issue.record("\(name): \(e) is not a format error"); return }
            #expect(message.contains(name), "\(name): message should name the model: \(message)")
        } catch {
            Issue.record("\(name): unexpected error \(error)")
        }
    }

    @Test func missingFileIsAnIOError() {
        do {
            _ = try SentencePieceProcessor(modelFile: "/nonexistent/x.model")
            Issue.record("loaded")
        } catch let e as InputError {
            if case .io = e {} else { Issue.record("\(e)") }
        } catch { Issue.record("\(error)") }
    }

    /// Every prefix of a real model either fails to load with a InputError or loads a model
    /// that encodes and decodes without trapping.
    @Test func truncatedModelsNeverTrap() throws {
        let full = [UInt8](try Data(contentsOf: URL(fileURLWithPath: SPMFixtures.path("trained/unigram-rules.model"))))
        var loaded = 0
        for cut in stride(from: 0, to: full.count, by: 37) {
            do {
                let sp = try SentencePieceProcessor(bytes: Array(full[..<cut]), name: "cut \(cut)")
                loaded += 1
                let ids = try sp.encodeIds("Hello ｶﾞ world ① 12")
                _ = try sp.decode(ids: ids)
            } catch is InputError {
                // A clear error is fine.
            }
        }
        #expect(loaded < full.count / 37)
    }

    /// Random byte mutations of real models: a InputError or a working model, never a trap.
    @Test(arguments: ["trained/unigram-bytefallback.model", "trained/bpe-bytefallback.model", "trained/word.model"])
    func mutatedModelsNeverTrap(model: String) throws {
        let full = [UInt8](try Data(contentsOf: URL(fileURLWithPath: SPMFixtures.path(model))))
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<300 {
            var bytes = full
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            guard let sp = try? SentencePieceProcessor(bytes: bytes) else { continue }
            if let ids = try? sp.encodeIds("Hello wörld 123 <sep> 😀") { _ = try? sp.decode(ids: ids) }
            _ = try? sp.decode(ids: (0..<8).map { _ in Int32.random(in: 0..<Int32(sp.pieceCount), using: &rng) })
        }
    }

    @Test func outOfRangeIdsThrow() throws {
        let sp = try SentencePieceProcessor(modelFile: SPMFixtures.path("trained/unigram-nfkc.model"))
        #expect(throws: InputError.self) { try sp.decode(ids: [5, -1]) }
        #expect(throws: InputError.self) { try sp.decode(ids: [Int32(sp.pieceCount)]) }
        let marian = try MarianTokenizer(directory: SPMFixtures.path("opus-mt-en-mg"))
        #expect(throws: InputError.self) { try marian.decode([5, 999_999], skipSpecialTokens: false) }
        #expect(throws: InputError.self) { try marian.decode([-3], skipSpecialTokens: true) }
    }

    @Test func emptyAndBlankText() throws {
        let sp = try SentencePieceProcessor(modelFile: SPMFixtures.path("opus-mt-en-mg/source.spm"))
        #expect(try sp.encodeIds("").isEmpty)
        #expect(try sp.encodeIds("   \t ").isEmpty)
        #expect(try sp.decode(ids: []) == "")
        let marian = try MarianTokenizer(directory: SPMFixtures.path("opus-mt-en-mg"))
        #expect(try marian.encode("").ids == [0])
        #expect(try marian.encode("", addSpecialTokens: false).ids.isEmpty)
        #expect(try marian.decode([], skipSpecialTokens: false) == "")
    }
}

/// A deterministic generator for reproducible fuzzing.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Broken Marian and T5 folders: clear errors naming the file.
@Suite struct SentencePieceMalformedFolderTests {
    /// A copy of the synthetic Marian folder with one file replaced.
    static func marianFolder(replacing file: String, with content: String?) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lmcore-bad-marian-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: SPMFixtures.path("marian-joint-codes"), toPath: dir.path)
        let target = dir.appendingPathComponent(file)
        try? FileManager.default.removeItem(at: target)
        if let content { try Data(content.utf8).write(to: target) }
        return dir
    }

    static let badMarian: [(file: String, content: String?, mentions: String)] = [
        ("vocab.json", "{\"</s>\": 0, \"<unk>\": 1", "vocab.json"),
        ("vocab.json", "[1, 2, 3]", "vocab.json"),
        ("vocab.json", "{\"</s>\": 0, \"<unk>\": -1}", "vocab.json"),
        ("vocab.json", "{\"</s>\": 0, \"<unk>\": 1.5}", "vocab.json"),
        ("vocab.json", "{\"</s>\": 0, \"<unk>\": 99999999999}", "vocab.json"),
        ("vocab.json", "{\"</s>\": 0, \"x\": 1}", "vocab.json"),
        ("vocab.json", "{\"a\": \"\\uZZZZ\"}", "vocab.json"),
        ("vocab.json", nil, "vocab.json"),
        ("source.spm", nil, "source.spm"),
        ("target.spm", "not a model", "target.spm"),
        ("tokenizer_config.json", "{\"added_tokens_decoder\": {\"x\": {\"content\": \"a\"}}}", "tokenizer_config.json"),
        ("tokenizer_config.json", "{\"eos_token\": 5}", "tokenizer_config.json"),
        ("tokenizer_config.json", "{\"eos_token\": \"<not-in-vocab>\", \"unk_token\": \"<missing>\"}", "vocab.json"),
        ("tokenizer_config.json", "{\"source_lang\": ", "tokenizer_config.json"),
    ]

    @Test(arguments: badMarian.indices)
    func brokenMarianFolderThrows(index: Int) throws {
        let bad = Self.badMarian[index]
        let dir = try Self.marianFolder(replacing: bad.file, with: bad.content)
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try MarianTokenizer(directory: dir.path)
            Issue.record("\(bad.file) \(bad.content ?? "<missing>"): loaded")
        } catch let e as InputError {
            #expect(e.description.contains(bad.mentions), "\(e.description)")
        }
    }

    @Test(arguments: ["{\"extra_ids\": -1}", "{\"extra_ids\": \"many\"}", "{\"additional_special_tokens\": [5]}",
                      "{\"eos_token\": {\"nocontent\": 1}}", "{\"added_tokens_decoder\": {\"x\": {}}}", "{"])
    func brokenT5ConfigThrows(config: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lmcore-bad-t5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(atPath: SPMFixtures.path("trained/unigram-nfkc.model"),
                                         toPath: dir.appendingPathComponent("spiece.model").path)
        try Data(config.utf8).write(to: dir.appendingPathComponent("tokenizer_config.json"))
        #expect(throws: InputError.self) { try T5SentencePieceConverter(directory: dir.path) }
    }
}
