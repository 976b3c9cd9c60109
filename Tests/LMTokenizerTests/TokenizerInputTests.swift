import Foundation
import LMInput
import LMTokenizer
import Testing

/// Untrusted text: empty, huge, invalid UTF-8, many added tokens, concurrent use.
@Suite struct TokenizerInputTests {
    static func real(_ name: String) throws -> HFTokenizer {
        try Goldens.tokenizer(#require(Goldens.fixtures.first { $0.name == name }))
    }

    static let realNames = ["gpt2", "roberta-base", "bert-base-uncased", "t5-small", "marian-nmt-ortx-test"]

    /// A text past 16 MiB is refused before any work (memory stays near the text itself), by every
    /// kind of tokenizer, as an invalid argument naming the limit.
    @Test func textsPastTheByteLimitAreRefusedUpFront() throws {
        let huge = String(repeating: "a", count: TextLimits.maxTextBytes + 1)
        let marian = try MarianTokenizer(directory: SPMFixtures.path("opus-mt-en-mg"))
        let spm = try SentencePieceProcessor(modelFile: SPMFixtures.path("opus-mt-en-mg/source.spm"))
        for tokenizer in [try Self.real("gpt2"), marian, spm] as [any TextTokenizer] {
            for call in [{ _ = try tokenizer.encode(huge, addSpecialTokens: true) },
                         { _ = try tokenizer.encode("ok", pair: huge, addSpecialTokens: true) },
                         { _ = try tokenizer.encodeTarget(huge, addSpecialTokens: true) }] as [() throws -> Void] {
                do {
                    try call()
                    Issue.record("\(type(of: tokenizer)) accepted \(huge.utf8.count) bytes")
                } catch let error as InputError {
                    #expect("\(error)".contains("longer than lmcore's limit of 16777216 bytes"))
                }
            }
        }
    }

    @Test(arguments: realNames)
    func megabyteLineOfSentences(_ name: String) throws {
        let tok = try Self.real(name)
        let sentence = "Hello world, this is a test of 1 MB. "
        let text = String(repeating: sentence, count: 1_000_000 / sentence.utf8.count + 1)
        let encoding = try tok.encode(text, addSpecialTokens: false)
        // Every repetition after the first tokenizes the same way.
        let one = try tok.encode(sentence + sentence, addSpecialTokens: false).ids
        let two = try tok.encode(sentence + sentence + sentence, addSpecialTokens: false).ids
        let period = two.count - one.count
        #expect(period > 0)
        #expect(encoding.ids.count > 100_000)
        let tail = Array(encoding.ids.suffix(period * 3))
        #expect(Array(tail[0..<period]) == Array(tail[period..<(2 * period)]))
        #expect(encoding.offsets.last.map { $0.upperBound <= text.unicodeScalars.count } == true)
        let decoded = try tok.decode(Array(encoding.ids.prefix(5000)), skipSpecialTokens: true)
        #expect(decoded.lowercased().contains("hello world"))
    }

    @Test(arguments: realNames)
    func megabyteWord(_ name: String) throws {
        let tok = try Self.real(name)
        let text = String(repeating: "a", count: 1_000_000)
        let encoding = try tok.encode(text, addSpecialTokens: false)
        #expect(!encoding.ids.isEmpty)
        let decoded = try tok.decode(encoding.ids, skipSpecialTokens: true)
        if name == "gpt2" || name == "roberta-base" {
            #expect(decoded == text)  // byte-level BPE is lossless
        }
    }

    @Test func megabyteOfCJKAndEmoji() throws {
        let text = String(repeating: "中文😀 ", count: 100_000)
        for name in Self.realNames {
            let tok = try Self.real(name)
            let e = try tok.encode(text, addSpecialTokens: true)
            #expect(e.ids.count == e.offsets.count)
        }
    }

    @Test func emptyText() throws {
        let gpt2 = try Self.real("gpt2")
        #expect(try gpt2.encode("", addSpecialTokens: true).ids.isEmpty)
        let bert = try Self.real("bert-base-uncased")
        #expect(try bert.encode("", addSpecialTokens: true).tokens == ["[CLS]", "[SEP]"])
        #expect(try bert.decode([], skipSpecialTokens: false) == "")
    }

    /// Invalid UTF-8 becomes U+FFFD per maximal invalid subsequence, as Python's
    /// `decode("utf-8", errors="replace")` (the goldens hold a few such inputs for every tokenizer).
    @Test func invalidUTF8IsReplaced() throws {
        let gpt2 = try Self.real("gpt2")
        let bytes: [UInt8] = [0x61, 0xFF, 0x62, 0xE2, 0x82]
        let viaBytes = try gpt2.encode(utf8: bytes, addSpecialTokens: false)
        let viaText = try gpt2.encode("a\u{FFFD}b\u{FFFD}", addSpecialTokens: false)
        #expect(viaBytes == viaText)
    }

    @Test func manyAddedTokensStayLinear() throws {
        // 20,000 added tokens: matching is a trie walk, not a 20,000-way alternation regex.
        var added: [String] = []
        for i in 0..<20_000 {
            added.append(#"{"id": \#(i + 2), "content": "<t\#(i)>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}"#)
        }
        let json = #"{"added_tokens": [\#(added.joined(separator: ","))], "pre_tokenizer": {"type": "WhitespaceSplit"}, "model": {"type": "WordLevel", "vocab": {"<unk>": 0, "x": 1}, "unk_token": "<unk>"}}"#
        let tok = try HFTokenizer(tokenizerJSON: Data(json.utf8))
        let text = String(repeating: "x <t19999> <t7>x<t123> ", count: 20_000)
        let e = try tok.encode(text, addSpecialTokens: false)
        #expect(e.ids.prefix(6) == [1, 20_001, 9, 1, 125, 1])
        #expect(e.ids.count == 5 * 20_000)
        #expect(try tok.decode(Array(e.ids.prefix(5)), skipSpecialTokens: true) == "x x")
        #expect(tok.vocabularySize == 20_002)
    }

    @Test func concurrentEncodingMatchesSerial() async throws {
        let tok = try Self.real("gpt2")
        let texts = (Goldens.fixtures.first { $0.name == "gpt2" }?.header.texts ?? [])
        let serial = try texts.map { try tok.encode($0, addSpecialTokens: true).ids }
        try await withThrowingTaskGroup(of: (Int, [Int32]).self) { group in
            for (i, t) in texts.enumerated() {
                group.addTask { (i, try tok.encode(t, addSpecialTokens: true).ids) }
            }
            for try await (i, ids) in group { #expect(ids == serial[i]) }
        }
    }
}
