import Foundation
import LMCore
import LMGeneration
import Testing

/// RequestOptions (target language, truncation, batching) against transformers: truncation as
/// `tokenizer(text, truncation=True, max_length=N)` (gen_truncation.py), the target language on
/// the bundled multilingual Marian as the `>>xx<<`-tagged sources HF translated
/// (models/numbers-7lang/eval), and batching that never changes a result.
@Suite struct RequestOptionsTests {
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests" && url.path != "/" { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().path
    }()

    struct TruncationFile: Decodable {
        struct Case: Decodable {
            let tokenizer: String
            let text: String
            let max_length: Int
            let ids: [Int32]
        }
        let cases: [Case]
    }

    @Test func truncationMatchesTransformers() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.repository + "/Tests/Fixtures/truncation/cases.json"))
        let file = try JSONDecoder().decode(TruncationFile.self, from: data)
        var tokenizers: [String: any TextTokenizer] = [:]
        for c in file.cases {
            let tokenizer = try tokenizers[c.tokenizer] ?? Tokenizers.load(path: Self.repository + "/" + c.tokenizer)
            tokenizers[c.tokenizer] = tokenizer
            let got = try Tokenizers.encode(c.text, tokenizer: tokenizer, maxLength: c.max_length)
            #expect(got == c.ids, "\(c.tokenizer) max_length \(c.max_length): \(c.text.debugDescription)")
        }
        #expect(file.cases.count > 700)
    }

    /// A sample of the held-out split: every language, short and long numbers.
    static func sample() throws -> (examples: [DefaultModelTests.Example], hf: [String]) {
        let examples = try DefaultModelTests.heldout()
        let lines = try String(contentsOfFile: DefaultModelTests.folder + "/eval/hf_beam4.jsonl", encoding: .utf8)
            .split(separator: "\n")
        let picked = stride(from: 0, to: examples.count, by: 61).map { $0 }
        let hf = try picked.map { try JSONDecoder().decode(DefaultModelTests.HFOutput.self, from: Data(lines[$0].utf8)).text }
        return (picked.map { examples[$0] }, hf)
    }

    @Test func targetLanguageTagsTheSourceOfAMultilingualMarian() throws {
        let model = try Model.load(path: DefaultModelTests.folder, options: ModelOptions(threads: 2))
        let (examples, hf) = try Self.sample()
        #expect(model.targetLanguages == ["de", "en", "es", "fr", "it", "nl", "pt"])
        for lang in Set(examples.map(\.lang)) {
            let rows = examples.indices.filter { examples[$0].lang == lang }
            let got = try model.translate(rows.map { examples[$0].number },
                                          request: RequestOptions(targetLanguage: lang))
            #expect(got.map { $0[0].text } == rows.map { hf[$0] }, "target language \(lang)")
        }
        // The tag as written works too; an unknown code is an invalid argument naming the token.
        #expect(try model.translate(["4213"], request: RequestOptions(targetLanguage: ">>fr<<"))[0][0].text
                == "quatre mille deux cent treize")
        #expect(throws: LMCoreError.self) { try model.translate(["4213"], request: RequestOptions(targetLanguage: "xx")) }
        do {
            _ = try model.translate(["4213"], request: RequestOptions(targetLanguage: "xx"))
        } catch {
            #expect(error.kind == .invalidArgument && error.message.contains("'>>xx<<'"))
        }
    }

    @Test func batchingNeverChangesResults() throws {
        let model = try Model.load(path: DefaultModelTests.folder, options: ModelOptions(threads: 2))
        let (examples, hf) = try Self.sample()
        let sources = examples.map(\.source)
        for request in [RequestOptions(maxBatchSize: 1), RequestOptions(maxBatchSize: 7), RequestOptions(),
                        RequestOptions(maxBatchSize: 40, batchType: .tokens), RequestOptions(maxBatchSize: 1, batchType: .tokens)] {
            let got = try model.translate(sources, request: request)
            #expect(got.map { $0[0].text } == hf, "\(request.maxBatchSize) \(request.batchType)")
        }
    }

    @Test func truncationAndErrorsNameTheInput() throws {
        let model = try Model.load(path: DefaultModelTests.folder, options: ModelOptions(threads: 2))
        let long = ">>de<< " + String(repeating: "1", count: 300)
        // By default text is cut at max_position_embeddings (128), keeping </s>.
        let tokenizer = try model.requireTokenizer()
        let cut = try Tokenizers.encode(long, tokenizer: tokenizer, maxLength: 128)
        #expect(cut.count == 128 && cut.last == 0)
        var short = GenerationOptions()
        short.maxNewTokens = 4
        #expect(try model.translate([long], options: short)[0][0].ids == model.generate([cut], options: short)[0][0].ids)
        // With truncation off, the error names the input's position in the call.
        do {
            _ = try model.translate([">>fr<< 1", ">>fr<< 2", long], request: RequestOptions(maxInputLength: 0))
            Issue.record("an over-long input was accepted")
        } catch {
            #expect(error.kind == .invalidArgument && error.message.contains("input 2"), "\(error)")
        }
        for bad in [RequestOptions(maxBatchSize: 0), RequestOptions(targetPrefixes: [[1], [2], [3]]),
                    RequestOptions(maxInputLength: -1)] {
            #expect(throws: LMCoreError.self) { try model.translate(["a", "b"], request: bad) }
        }
    }
}

/// target_lang on M2M100 ("fr" -> "__fr__") and mBART-50 ("fr_XX") is transformers' tgt_lang:
/// the language token becomes forced_bos_token_id. The tiny fixtures get a word-level
/// tokenizer.json whose id 5 is that token; generation must then equal HF's goldens for
/// forced_bos_token_id=5 (search.json "greedy-forced-bos-eos").
@Suite struct TargetLanguageFamilyTests {
    static func folder(_ variant: String, languageToken: String) throws -> String {
        let source = CoreFixtures.path("models/\(variant)")
        let folder = NSTemporaryDirectory() + "lmcore-tgt-lang-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: source) where name != "tokenizer.json" {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: folder + "/" + name)
        }
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: source + "/config.json")))
        let vocabSize = try #require((config as? [String: Any])?["vocab_size"] as? Int)
        var vocab: [String: Int] = [:]
        for id in 0..<vocabSize { vocab[id == 5 ? languageToken : "t\(id)"] = id }
        let tokenizer: [String: Any] = [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": [], "normalizer": NSNull(),
            "pre_tokenizer": ["type": "WhitespaceSplit"], "post_processor": NSNull(), "decoder": NSNull(),
            "model": ["type": "WordLevel", "vocab": vocab, "unk_token": "t3"],
        ]
        try JSONSerialization.data(withJSONObject: tokenizer).write(to: URL(fileURLWithPath: folder + "/tokenizer.json"))
        return folder
    }

    @Test(arguments: [("m2m100-relu-tied", "__fr__", "fr"), ("m2m100-gelu-untied", "fra_Latn", "fra_Latn"),
                      ("mbart-gelu-tied", "fr_XX", "fr_XX"), ("mbart-relu-untied", "fr_XX", "fr_XX")])
    func targetLanguageIsTheForcedBosToken(variant: String, token: String, code: String) throws {
        let folder = try Self.folder(variant, languageToken: token)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let data = try Data(contentsOf: URL(fileURLWithPath: CoreFixtures.path("models/\(variant)/search.json")))
        let file = try JSONDecoder().decode(SearchFixtureTests.File.self, from: data)
        let c = try #require(file.cases.first { $0.name == "greedy-forced-bos-eos" })
        var options = SearchFixtureTests.options(c.options)
        options.forcedBosTokenId = nil  // from target_lang instead
        let model = try Model.load(path: folder)
        // The server's language list: the one language token, as the code target_lang takes.
        #expect(model.targetLanguages == [code])
        let got = try model.generate(c.inputs, options: options, request: RequestOptions(targetLanguage: code))
        #expect(got.map { $0.map(\.ids) } == c.outputs.map(\.sequences), "\(variant) target_lang \(code)")
        #expect(throws: LMCoreError.self) { try model.generate(c.inputs, request: RequestOptions(targetLanguage: "xx")) }
    }
}
