import Foundation
import LMTokenizer
import Testing
import LMInput

/// Locates Tests/Fixtures/sentencepiece from this file's path (no SwiftPM resources).
enum SPMFixtures {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sentencepiece")

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func golden<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let data = try Data(contentsOf: root.appendingPathComponent("goldens/\(name)"))
        return try JSONDecoder().decode(T.self, from: data)
    }

    static func charsmap(ofModel relative: String) throws -> PrecompiledCharsmap {
        let proto = try SentencePieceModelProto(contentsOf: path(relative))
        return try PrecompiledCharsmap(bytes: proto.normalizerSpec.precompiledCharsmap)
    }
}

struct CharsmapGoldens: Decodable {
    struct Text: Decodable { let text: String; let hf: String; let spm: String }
    struct Case: Decodable {
        let name: String
        let model: String
        let hf_single: [SingleRule]
        let spm_single: [SingleRule]
        let texts: [Text]
    }
    /// `[code point, output]`.
    struct SingleRule: Decodable {
        let codePoint: UInt32
        let output: String
        init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            codePoint = try c.decode(UInt32.self)
            output = try c.decode(String.self)
        }
    }
    let charsmaps: [Case]
}

/// Byte equality: Swift's String == is canonical equivalence, which would hide normalization bugs.
func sameBytes(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }
func sameBytes(_ a: [String], _ b: [String]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { sameBytes($0, $1) } }

/// HF tokenizers' Precompiled normalizer over `transform` (grapheme first when shorter than 6
/// bytes, then per character), as the other tokenizer.json pipeline uses it.
func hfPrecompiledNormalize(_ map: PrecompiledCharsmap, _ text: String) -> String {
    var out = ""
    for g in text {
        let gs = String(g)
        if gs.utf8.count < 6, let r = map.transform(Substring(gs)) {
            out += r
            continue
        }
        for s in gs.unicodeScalars {
            let one = String(s)
            out += map.transform(Substring(one)) ?? one
        }
    }
    return out
}

/// sentencepiece's NormalizePrefix loop with whitespace handling off.
func spmPrefixNormalize(_ map: PrecompiledCharsmap, _ text: String) -> String {
    let bytes = Array(text.utf8)
    var out: [UInt8] = []
    var i = 0
    while i < bytes.count {
        if let m = map.longestPrefixMatch(bytes[i...]) {
            out += m.replacement
            i += m.consumed
        } else {
            let lead = bytes[i]
            let n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            out += bytes[i..<min(bytes.count, i + n)]
            i += n
        }
    }
    return String(decoding: out, as: UTF8.self)
}

@Suite struct SentencePieceCharsmapTests {
    static let goldens = (try? SPMFixtures.golden("charsmap.json", as: CharsmapGoldens.self).charsmaps) ?? []

    @Test func goldensLoaded() {
        #expect(Self.goldens.count == 2)
    }

    @Test(arguments: goldens.map(\.name))
    func everyCodePointMatchesHF(name: String) throws {
        let g = try #require(Self.goldens.first { $0.name == name })
        let map = try SPMFixtures.charsmap(ofModel: g.model)
        var expected: [UInt32: String] = [:]
        for r in g.hf_single { expected[r.codePoint] = r.output }
        var mismatches: [String] = []
        for cp in UInt32(1)...0x10FFFF {
            guard let s = Unicode.Scalar(cp) else { continue }
            let one = String(s)
            let got = map.transform(Substring(one)) ?? one
            if !sameBytes(got, expected[cp] ?? one) { mismatches.append("U+\(String(cp, radix: 16)) -> \(got.debugDescription)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(10))")
    }

    @Test(arguments: goldens.map(\.name))
    func everyCodePointMatchesSentencePiece(name: String) throws {
        let g = try #require(Self.goldens.first { $0.name == name })
        let map = try SPMFixtures.charsmap(ofModel: g.model)
        var expected: [UInt32: String] = [:]
        for r in g.spm_single { expected[r.codePoint] = r.output }
        var mismatches: [String] = []
        for cp in UInt32(1)...0x10FFFF {
            guard let s = Unicode.Scalar(cp) else { continue }
            let one = String(s)
            let got = spmPrefixNormalize(map, one)
            if !sameBytes(got, expected[cp] ?? one) { mismatches.append("U+\(String(cp, radix: 16)) -> \(got.debugDescription)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(10))")
    }

    @Test(arguments: goldens.map(\.name))
    func textsMatchBothReferences(name: String) throws {
        let g = try #require(Self.goldens.first { $0.name == name })
        let map = try SPMFixtures.charsmap(ofModel: g.model)
        for t in g.texts {
            #expect(sameBytes(hfPrecompiledNormalize(map, t.text), t.hf), "HF Precompiled: \(t.text.debugDescription)")
            #expect(sameBytes(spmPrefixNormalize(map, t.text), t.spm), "sentencepiece: \(t.text.debugDescription)")
        }
    }

    @Test func transformUsesTheShortestMatch() throws {
        let map = try SPMFixtures.charsmap(ofModel: "opus-mt-en-mg/source.spm")
        // "ｶﾞ" has a two-character rule (-> "ガ"), but `transform` stops at the first match, the
        // rule for "ｶ" alone.
        #expect(map.transform("ｶﾞ") == "カ")
        #expect(map.longestPrefixMatch(Array("ｶﾞ".utf8)[...])?.consumed == 6)
        #expect(map.transform("abc") == nil)
        #expect(map.transform("") == nil)
    }

    @Test(arguments: [
        [UInt8](),
        [1, 0, 0],
        [4, 0, 0, 0],
        [8, 0, 0, 0, 1, 2, 3, 4],  // trie larger than the blob
        [255, 255, 255, 255, 0, 0, 0, 0, 0],
        [3, 0, 0, 0, 0, 0, 0, 0],  // not a whole number of units
        [4, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFE],  // table not UTF-8
    ])
    func malformedBlobsThrow(bytes: [UInt8]) {
        #expect(throws: InputError.self) { try PrecompiledCharsmap(bytes: bytes) }
    }

    /// Arbitrary units must never trap: offsets pointing past the array, values past the table.
    @Test func garbageTrieNeverTraps() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let units = Int.random(in: 1...64, using: &rng)
            var blob: [UInt8] = [UInt8(truncatingIfNeeded: units * 4), UInt8(truncatingIfNeeded: (units * 4) >> 8), 0, 0]
            for _ in 0..<(units * 4) { blob.append(UInt8.random(in: 0...255, using: &rng)) }
            blob += Array("ab\0c".utf8)
            let map = try PrecompiledCharsmap(bytes: blob)
            for _ in 0..<50 {
                let key = (0..<Int.random(in: 0...8, using: &rng)).map { _ in UInt8.random(in: 1...255, using: &rng) }
                _ = map.longestPrefixMatch(key[...])
                _ = map.transform(Substring(String(decoding: key, as: UTF8.self)))
            }
        }
    }
}
