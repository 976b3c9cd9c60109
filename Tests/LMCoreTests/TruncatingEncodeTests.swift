import Foundation
import LMCore
import LMTokenizer
import Testing

/// Truncation of long texts, which lmcore does from prefixes of the text (`Tokenizers.prefixTruncated`)
/// rather than tokenizing it whole: the ids must be transformers' `tokenizer(text, truncation=True,
/// max_length=N)` (Tests/Fixtures/truncation/long.json, gen_truncation.py: 10-40 KB texts, eight
/// tokenizers), and equal to whole-text truncation wherever the prefixes are cut.
@Suite struct TruncatingEncodeTests {
    struct LongFile: Decodable {
        struct Case: Decodable {
            let tokenizer: String
            let text: Int
            let name: String
            let max_length: Int
            let ids: [Int32]
        }
        let texts: [String]
        let cases: [Case]
    }

    static let file: LongFile? = try? JSONDecoder().decode(LongFile.self, from: Data(contentsOf: URL(
        fileURLWithPath: RequestOptionsTests.repository + "/Tests/Fixtures/truncation/long.json")))

    static func tokenizers() throws -> [String: any TextTokenizer] {
        var out: [String: any TextTokenizer] = [:]
        for c in file?.cases ?? [] where out[c.tokenizer] == nil {
            out[c.tokenizer] = try Tokenizers.load(path: RequestOptionsTests.repository + "/" + c.tokenizer)
        }
        return out
    }

    @Test func longTextsMatchTransformers() throws {
        let file = try #require(Self.file)
        let tokenizers = try Self.tokenizers()
        var fromPrefixes = 0
        for c in file.cases {
            let tokenizer = try #require(tokenizers[c.tokenizer])
            let text = file.texts[c.text]
            let got = try Tokenizers.encode(text, tokenizer: tokenizer, maxLength: c.max_length)
            #expect(got == c.ids, "\(c.tokenizer) \(c.name) max_length \(c.max_length)")
            // The prefix path itself answers (not the whole-text fallback) where it should.
            if let early = try Tokenizers.prefixTruncated(text, with: tokenizer, maxLength: c.max_length, sourcePrefix: nil) {
                #expect(early == c.ids, "prefixes: \(c.tokenizer) \(c.name) max_length \(c.max_length)")
                fromPrefixes += 1
            }
        }
        #expect(file.cases.count == 88)
        // Every case but the ones a prefix cannot settle (BERT's one-word [UNK], a text too short
        // for two prefixes) comes from prefixes.
        #expect(fromPrefixes >= 70, "only \(fromPrefixes) of \(file.cases.count) cases used prefixes")
    }

    /// Prefixes cut at many places (short first cuts, odd sizes inside UTF-8 sequences and words)
    /// give the ids whole-text truncation gives, on every text and tokenizer.
    @Test(arguments: [48, 100, 257, 1000, 3001])
    func anyCutAgreesWithTheWholeText(firstCut: Int) throws {
        let file = try #require(Self.file)
        let tokenizers = try Self.tokenizers()
        var settled = 0, compared = 0
        for (name, tokenizer) in tokenizers.sorted(by: { $0.key < $1.key }) {
            for (index, text) in file.texts.enumerated() {
                for maxLength in [8, 16, 128] {
                    let full = try tokenizer.encode(text).ids
                    guard full.count > maxLength else { continue }
                    let whole = try Tokenizers.truncated(full: full, content: tokenizer.encode(text, addSpecialTokens: false).ids,
                                                         maxLength: maxLength)
                    let early = try Tokenizers.prefixTruncated(text, with: tokenizer, maxLength: maxLength, sourcePrefix: nil,
                                                               firstCut: firstCut)
                    #expect(early == nil || early == whole, "\(name) text \(index) max_length \(maxLength) first cut \(firstCut)")
                    compared += 1
                    if early != nil { settled += 1 }
                }
            }
        }
        #expect(settled * 10 >= compared * 8, "prefixes settled \(settled) of \(compared)")
    }
}
