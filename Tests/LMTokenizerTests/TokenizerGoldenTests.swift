import Foundation
import LMTokenizer
import Synchronization
import Testing
import LMInput

/// Goldens written by Tests/Generator/gen_tokenizers.py (HF tokenizers 0.23.3 / transformers 5.23).
enum Goldens {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizers")

    struct Header: Decodable, Sendable {
        var reference: String
        var texts: [String]
        var all_special_ids: [Int]?
        var vocab_size_with_added: Int
    }

    /// One line of cases.jsonl (parsed with JSONDecoder: corelibs' JSONSerialization drops
    /// strings made only of U+FEFF).
    struct Case: Decodable, Sendable {
        var i: Int?
        var text: String?
        var text_hex: String?
        var pair_i: Int?
        var add_special_tokens: Bool
        var error: String?
        var raw_error: String?
        var ids: [Int]?
        var raw_ids: [Int]?
        var tokens: [String]?
        var offsets: [[Int]]?
        var type_ids: [Int]?
        var special_tokens_mask: [Int]?
        var attention_mask: [Int]?
        var decoded: String?
        var decoded_skip_special: String?
        var raw_decoded: String?
        var raw_decoded_skip_special: String?
    }

    struct Fixture: Sendable {
        var name: String
        var header: Header
        var cases: [Case]
        var usesTransformers: Bool { header.reference == "transformers" }
    }

    static let fixtures: [Fixture] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let decoder = JSONDecoder()
        return names.sorted().compactMap { name -> Fixture? in
            let url = root.appendingPathComponent(name).appendingPathComponent("cases.jsonl")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
            let lines = text.split(separator: "\n")
            guard let first = lines.first, let header = try? decoder.decode(Header.self, from: Data(first.utf8)) else { return nil }
            let cases = lines.dropFirst().compactMap { try? decoder.decode(Case.self, from: Data($0.utf8)) }
            return Fixture(name: name, header: header, cases: cases)
        }
    }()

    static let cache = Mutex<[String: HFTokenizer]>([:])

    /// The fixture's tokenizer as its reference loads it (with tokenizer_config.json when the
    /// reference is transformers), or raw (tokenizer.json only) when `raw` is set.
    static func tokenizer(_ f: Fixture, raw: Bool = false) throws -> HFTokenizer {
        let key = f.name + (raw ? "#raw" : "")
        if let t = cache.withLock({ $0[key] }) { return t }
        let dir = root.appendingPathComponent(f.name)
        let config = dir.appendingPathComponent("tokenizer_config.json")
        let t = try HFTokenizer.load(tokenizerJSON: dir.appendingPathComponent("tokenizer.json").path,
                                     tokenizerConfig: f.usesTransformers && !raw ? config.path : nil)
        cache.withLock { $0[key] = t }
        return t
    }
}

/// One golden case, named "fixture#line".
struct GoldenCase: Sendable, CustomTestStringConvertible {
    var fixture: Int
    var index: Int
    var testDescription: String { "\(Goldens.fixtures[fixture].name)#\(index + 2)" }

    static let all: [GoldenCase] = Goldens.fixtures.indices.flatMap { f in
        Goldens.fixtures[f].cases.indices.map { GoldenCase(fixture: f, index: $0) }
    }
}

private func hexBytes(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var i = s.startIndex
    while i < s.endIndex, let j = s.index(i, offsetBy: 2, limitedBy: s.endIndex), let b = UInt8(s[i..<j], radix: 16) {
        out.append(b)
        i = j
    }
    return out
}

@Suite struct TokenizerGoldenTests {
    @Test func fixturesArePresent() {
        #expect(Goldens.fixtures.count >= 50)
        #expect(GoldenCase.all.count > 4000)
    }

    @Test(arguments: GoldenCase.all)
    func golden(_ gc: GoldenCase) throws {
        let f = Goldens.fixtures[gc.fixture]
        let c = f.cases[gc.index]
        let tok = try Goldens.tokenizer(f)
        let add = c.add_special_tokens
        let pair = c.pair_i.map { f.header.texts[$0] }
        let encode: () throws -> Encoding
        if let hex = c.text_hex {
            encode = { try tok.encode(utf8: hexBytes(hex), addSpecialTokens: add) }
        } else {
            let text = c.i.map { f.header.texts[$0] } ?? c.text ?? ""
            encode = { try tok.encode(text, pair: pair, addSpecialTokens: add) }
        }
        if c.error != nil {
            #expect(throws: InputError.self) { _ = try encode() }
            return
        }
        let encoding = try encode()
        let ids = c.ids ?? []
        #expect(encoding.ids.map(Int.init) == ids)
        if c.raw_ids == nil && c.raw_error == nil {
            #expect(encoding.tokens == c.tokens)
            #expect(encoding.offsets.map { [$0.lowerBound, $0.upperBound] } == c.offsets)
            let n = ids.count
            #expect(encoding.typeIds.map(Int.init) == (c.type_ids ?? Array(repeating: 0, count: n)))
            #expect(encoding.specialTokensMask.map(Int.init) == (c.special_tokens_mask ?? Array(repeating: 0, count: n)))
            #expect(encoding.attentionMask.map(Int.init) == (c.attention_mask ?? Array(repeating: 1, count: n)))
        }
        let ids32 = ids.map { Int32($0) }
        #expect(try tok.decode(ids32, skipSpecialTokens: false) == c.decoded)
        #expect(try tok.decode(ids32, skipSpecialTokens: true) == c.decoded_skip_special)
        if let rawDecoded = c.raw_decoded {
            // HF skips ids it does not know (here: tokens transformers added); lmcore throws, so
            // they are left out before comparing.
            let raw = try Goldens.tokenizer(f, raw: true)
            let known = ids32.filter { raw.idToToken($0) != nil }
            #expect(try raw.decode(known, skipSpecialTokens: false) == rawDecoded)
            #expect(try raw.decode(known, skipSpecialTokens: true) == c.raw_decoded_skip_special)
        }
        if c.raw_error != nil {
            let raw = try Goldens.tokenizer(f, raw: true)
            let text = c.i.map { f.header.texts[$0] } ?? c.text ?? ""
            #expect(throws: InputError.self) { _ = try raw.encode(text, pair: pair, addSpecialTokens: add) }
        }
    }

    @Test(arguments: Goldens.fixtures.indices)
    func vocabulary(_ fi: Int) throws {
        let f = Goldens.fixtures[fi]
        let tok = try Goldens.tokenizer(f)
        #expect(tok.vocabularySize == f.header.vocab_size_with_added, "\(f.name)")
        if let specials = f.header.all_special_ids {
            #expect(tok.specialTokenIds == Set(specials.map { Int32($0) }), "\(f.name)")
        }
        // Every id in the goldens has a token string (HF returns the normalized form of
        // normalized added tokens, so the reverse lookup is not checked here).
        for c in f.cases {
            for id in c.ids ?? [] {
                #expect(tok.idToToken(Int32(id)) != nil, "\(f.name): id \(id)")
            }
        }
    }
}
