import Foundation
import LMTokenizer
import Testing

/// A JSON value for comparisons in tests (JSONDecoder parses numbers exactly; JSONSerialization on
/// Linux does not).
indirect enum SPMTestJSON: Decodable, Equatable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([SPMTestJSON]), object([String: SPMTestJSON])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([SPMTestJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: SPMTestJSON].self)) }
    }

    static func parse(_ bytes: [UInt8]) throws -> SPMTestJSON { try JSONDecoder().decode(SPMTestJSON.self, from: Data(bytes)) }

    subscript(key: String) -> SPMTestJSON? {
        get { if case .object(let o) = self { return o[key] } else { return nil } }
        set { if case .object(var o) = self { o[key] = newValue; self = .object(o) } }
    }
    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var number: Double? { if case .number(let d) = self { return d } else { return nil } }
    var array: [SPMTestJSON]? { if case .array(let a) = self { return a } else { return nil } }
    var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    /// Strings compare byte for byte (Swift's == is canonical equivalence).
    static func == (a: SPMTestJSON, b: SPMTestJSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return sameBytes(x, y)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0 == $1 }
        case (.object(let x), .object(let y)):
            return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { k in x[k] == y[k] }
        default: return false
        }
    }
}

/// Goldens of transformers' T5Tokenizer built from spiece.model (goldens/t5/*.json).
struct T5Golden: Decodable {
    struct Case: Decodable {
        let text: String
        let ids: [Int32]
        let tokens: [String]
        let decoded: String
        let decoded_skip_special: String
    }
    let name: String
    let spiece: String
    let files: [String: SPMTestJSON]
    let tokenizer_json: SPMTestJSON
    let all_special_ids: [Int32]
    let vocab_size: Int
    let clean_up_tokenization_spaces: Bool
    let cases: [Case]

    static let names = ["t5-default", "t5-config", "t5-v1_1", "t5-custom", "t5-userdefined"]

    static func load(_ name: String) throws -> T5Golden { try SPMFixtures.golden("t5/\(name).json", as: T5Golden.self) }

    /// A temporary model folder: spiece.model plus the golden's config files.
    func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lmcore-t5-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: SPMFixtures.path(spiece), toPath: dir.appendingPathComponent("spiece.model").path)
        let raw = try JSONSerialization.jsonObject(
            with: Data(contentsOf: SPMFixtures.root.appendingPathComponent("goldens/t5/\(name).json"))) as? [String: Any]
        for (file, content) in raw?["files"] as? [String: Any] ?? [:] {
            try JSONSerialization.data(withJSONObject: content).write(to: dir.appendingPathComponent(file))
        }
        return dir
    }
}

@Suite struct SentencePieceT5Tests {
    /// The converted pipeline equals `tokenizer.backend_tokenizer.to_str()` of transformers.
    @Test(arguments: T5Golden.names)
    func pipelineMatchesTransformers(name: String) throws {
        let g = try T5Golden.load(name)
        let dir = try g.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let converted = try T5SentencePieceConverter(directory: dir.path)
        var mine = try SPMTestJSON.parse(converted.tokenizerJSON)
        let proto = try SentencePieceModelProto(contentsOf: SPMFixtures.path(g.spiece))

        // The charsmap must be the model's, byte for byte; the golden keeps a marker instead.
        if let b64 = mine["normalizer"]?["precompiled_charsmap"]?.string {
            #expect(Data(base64Encoded: b64) == Data(proto.normalizerSpec.precompiledCharsmap))
            mine["normalizer"]?["precompiled_charsmap"] = .string("<spiece.model normalizer_spec.precompiled_charsmap>")
        }
        // The vocabulary starts with the model's pieces and scores; the golden keeps only the rest.
        let vocab = try #require(mine["model"]?["vocab"]?.array)
        let n = proto.pieces.count
        for (i, p) in proto.pieces.enumerated() {
            #expect(vocab[i] == .array([.string(p.piece), .number(Double(p.score))]), "piece \(i)")
        }
        mine["model"]?["vocab"] = .object(["spiece_pieces": .number(Double(n)), "then": .array(Array(vocab[n...]))])

        guard case .object(let expected) = g.tokenizer_json, case .object(let got) = mine else {
            Issue.record("not objects"); return
        }
        for key in Set(expected.keys).union(got.keys) {
            #expect(expected[key] == got[key], "\(name): tokenizer.json field \(key) differs:\n\(String(describing: got[key]).prefix(600))")
        }
    }

    @Test(arguments: T5Golden.names)
    func specialTokensAndCleanUp(name: String) throws {
        let g = try T5Golden.load(name)
        let dir = try g.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let converted = try T5SentencePieceConverter(directory: dir.path)
        let config = try SPMTestJSON.parse(converted.tokenizerConfig)
        #expect(config["clean_up_tokenization_spaces"]?.bool == g.clean_up_tokenization_spaces)
        // all_special_ids: the special tokens' ids (added tokens first, then the model vocabulary).
        let json = try SPMTestJSON.parse(converted.tokenizerJSON)
        var ids: [String: Int32] = [:]
        for (i, entry) in (json["model"]?["vocab"]?.array ?? []).enumerated() {
            if let s = entry.array?.first?.string { ids[s] = Int32(i) }
        }
        for t in json["added_tokens"]?.array ?? [] {
            if let s = t["content"]?.string, let id = t["id"]?.number { ids[s] = Int32(id) }
        }
        let specials = (config["extra_special_tokens"]?.array ?? []).compactMap { $0.string.flatMap { ids[$0] } }
        #expect(specials == g.all_special_ids)
    }
}

/// End to end through the tokenizer.json pipeline (runs when it is linked in).
@Suite struct SentencePieceT5EndToEndTests {
    @Test(arguments: T5Golden.names)
    func idsAndTextMatchTransformers(name: String) throws {
        let g = try T5Golden.load(name)
        let dir = try g.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try AutoTokenizer.choose(path: dir.path) == .t5SentencePiece(directory: dir.path))
        let tok = try AutoTokenizer.load(path: dir.path)
        #expect(tok.vocabularySize == g.vocab_size)
        #expect(tok.specialTokenIds == Set(g.all_special_ids))
        var failures = 0
        for c in g.cases {
            let e = try tok.encode(c.text)
            let decoded = try tok.decode(c.ids, skipSpecialTokens: false)
            let decodedSkip = try tok.decode(c.ids, skipSpecialTokens: true)
            let ok = e.ids == c.ids && sameBytes(e.tokens, c.tokens)
                && sameBytes(decoded, c.decoded) && sameBytes(decodedSkip, c.decoded_skip_special)
            if !ok {
                failures += 1
                if failures <= 5 { Issue.record("\(name) \(c.text.debugDescription): \(e.ids) \(e.tokens)") }
            }
        }
        #expect(failures == 0, "\(failures) of \(g.cases.count) differ")
    }
}
