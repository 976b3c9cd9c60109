import Foundation
import LMCore
import LMGeneration
import Testing

/// Streaming text: the pieces concatenate to the translation, end at word boundaries, and never
/// split a UTF-8 character of a byte-level tokenizer.
@Suite struct TextStreamTests {
    @Test(arguments: [1, 4])
    func piecesConcatenateToTheTranslation(beams: Int) throws {
        let model = try Model.load(path: DefaultModelTests.folder, options: ModelOptions(threads: 2))
        let (examples, _) = try RequestOptionsTests.sample()
        var options = GenerationOptions()
        options.numBeams = beams
        var pieces: [Int: [String]] = [:]
        let got = try model.translate(examples.map(\.source), options: options,
                                      request: RequestOptions(maxBatchSize: 8), onText: { event in
            pieces[event.input, default: []].append(event.text)
            return true
        })
        for (i, hyps) in got.enumerated() {
            let streamed = pieces[i] ?? []
            #expect(streamed.joined() == hyps[0].text, "input \(i): \(streamed)")
            // Every piece but the last ends a word.
            #expect(streamed.dropLast().allSatisfy { $0.hasSuffix(" ") }, "input \(i): \(streamed)")
        }
        // Long numbers stream in several pieces, also with beam search (the agreed prefix).
        #expect(pieces.values.contains { $0.count >= 3 })
    }

    @Test func stoppingCancels() throws {
        let model = try Model.load(path: DefaultModelTests.folder)
        #expect(throws: LMCoreError.self) {
            _ = try model.translate([">>en<< 1234567"], onText: { _ in false })
        }
    }

    /// GPT-2's byte-level BPE splits multi-byte characters across tokens: fed one id at a time,
    /// no piece may hold a half character (U+FFFD), and the pieces still add up.
    @Test func byteLevelCharactersAreNeverSplit() throws {
        let tokenizer = try Tokenizers.load(path: RequestOptionsTests.repository + "/Tests/Fixtures/tokenizers/gpt2")
        for text in ["Grüße aus Köln — 東京 🎉 ok", "naïve café 😀😀 done", "日本語のテキスト"] {
            let ids = try tokenizer.encode(text, addSpecialTokens: false).ids
            let stream = TextStreamAssembler(tokenizer: tokenizer)
            var pieces: [String] = []
            for id in ids {
                if let piece = try stream.add(TokenEvent(input: 0, sequence: 0, tokens: [id])) { pieces.append(piece.text) }
            }
            pieces += try stream.finish(inputs: [0]).map(\.text)
            #expect(pieces.joined() == (try tokenizer.decode(ids, skipSpecialTokens: true)), "\(text): \(pieces)")
            #expect(!pieces.contains { $0.contains("\u{FFFD}") }, "\(text): \(pieces)")
        }
    }
}
