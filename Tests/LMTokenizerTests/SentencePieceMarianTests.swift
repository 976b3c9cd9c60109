import Foundation
import LMTokenizer
import Testing

/// Goldens of transformers' MarianTokenizer (goldens/marian/*.json).
struct MarianGolden: Decodable {
    struct Case: Decodable {
        let text: String
        let ids: [Int32]
        let tokens: [String]
        let special_tokens_mask: [Int32]
        let ids_no_special: [Int32]
        let decoded: String
        let decoded_skip_special: String
        let target_ids: [Int32]
        let target_tokens: [String]
        let target_decoded: String
        let target_decoded_skip_special: String
    }
    struct Pair: Decodable { let text: String; let pair: String; let ids: [Int32]; let type_ids: [Int32] }
    struct DecodeCase: Decodable { let ids: [Int32]; let decoded: String; let decoded_skip_special: String }
    struct Files: Decodable {
        let directory: String?
        let source: String?
        let target: String?
        let vocab: String?
        let config_directory: String?
    }
    let name: String
    let files: Files
    let vocab_size: Int
    let all_special_ids: [Int32]
    let supported_language_codes: [String]
    let cases: [Case]
    let pairs: [Pair]
    let decode_cases: [DecodeCase]

    static let names = ["opus-mt-en-mg", "marian-separate", "marian-joint-codes", "marian-nmt-ortx-test"]

    static func load(_ name: String) throws -> MarianGolden {
        try SPMFixtures.golden("marian/\(name).json", as: MarianGolden.self)
    }

    func tokenizer() throws -> MarianTokenizer {
        if let d = files.directory { return try MarianTokenizer(directory: SPMFixtures.path(d)) }
        let config = try MarianTokenizer.Configuration.load(directory: SPMFixtures.path(files.config_directory ?? ""))
        return try MarianTokenizer(sourceModel: SPMFixtures.path(files.source ?? ""),
                                   targetModel: SPMFixtures.path(files.target ?? ""),
                                   vocab: SPMFixtures.path(files.vocab ?? ""), targetVocab: nil, configuration: config)
    }
}

@Suite struct SentencePieceMarianTests {
    @Test(arguments: MarianGolden.names)
    func sourceSideMatchesTransformers(name: String) throws {
        let g = try MarianGolden.load(name)
        let tok = try g.tokenizer()
        #expect(tok.vocabularySize == g.vocab_size)
        #expect(tok.specialTokenIds == Set(g.all_special_ids))
        #expect(tok.supportedLanguageCodes == g.supported_language_codes)
        var failures = 0
        for c in g.cases {
            let e = try tok.encode(c.text)
            let plain = try tok.encode(c.text, addSpecialTokens: false)
            let ok = e.ids == c.ids && sameBytes(e.tokens, c.tokens) && e.specialTokensMask == c.special_tokens_mask
                && plain.ids == c.ids_no_special
            if !ok {
                failures += 1
                if failures <= 5 {
                    Issue.record("\(name) \(c.text.debugDescription)\n  expected \(c.ids) \(c.tokens)\n  got      \(e.ids) \(e.tokens)")
                }
            }
        }
        #expect(failures == 0, "\(failures) of \(g.cases.count) differ")
    }

    @Test(arguments: MarianGolden.names)
    func targetSideMatchesTransformers(name: String) throws {
        let g = try MarianGolden.load(name)
        let tok = try g.tokenizer()
        for c in g.cases {
            let e = try tok.encodeTarget(c.text, addSpecialTokens: true)
            #expect(e.ids == c.target_ids && sameBytes(e.tokens, c.target_tokens),
                    "\(name) \(c.text.debugDescription): \(e.ids) \(e.tokens)")
        }
    }

    @Test(arguments: MarianGolden.names)
    func decodeMatchesTransformers(name: String) throws {
        let g = try MarianGolden.load(name)
        let tok = try g.tokenizer()
        for c in g.cases {
            #expect(sameBytes(try tok.decode(c.ids, skipSpecialTokens: false), c.decoded), "\(name) \(c.text.debugDescription)")
            #expect(sameBytes(try tok.decode(c.ids, skipSpecialTokens: true), c.decoded_skip_special),
                    "\(name) skip \(c.text.debugDescription)")
            #expect(sameBytes(try tok.decode(c.target_ids, skipSpecialTokens: false), c.target_decoded),
                    "\(name) target \(c.text.debugDescription)")
            #expect(sameBytes(try tok.decode(c.target_ids, skipSpecialTokens: true), c.target_decoded_skip_special),
                    "\(name) target skip \(c.text.debugDescription)")
        }
        for c in g.decode_cases {
            #expect(sameBytes(try tok.decode(c.ids, skipSpecialTokens: false), c.decoded), "\(name) \(c.ids)")
            #expect(sameBytes(try tok.decode(c.ids, skipSpecialTokens: true), c.decoded_skip_special), "\(name) skip \(c.ids)")
        }
    }

    @Test(arguments: MarianGolden.names)
    func pairsMatchTransformers(name: String) throws {
        let g = try MarianGolden.load(name)
        let tok = try g.tokenizer()
        for p in g.pairs {
            let e = try tok.encode(p.text, pair: p.pair, addSpecialTokens: true)
            #expect(e.ids == p.ids && e.typeIds == p.type_ids, "\(name) \(p.text) | \(p.pair)")
        }
    }
}
