import Foundation
import LMTokenizer
import Testing
import LMInput

/// What transformers' AutoTokenizer picked for folder layouts (goldens/autotokenizer.json).
struct AutoGolden: Decodable, Sendable {
    struct Case: Decodable, Sendable { let text: String; let ids: [Int32] }
    struct Layout: Decodable, Sendable {
        let name: String
        let files: [String: SPMTestJSON]
        let deviation: String?
        let ids_deviation: String?
        let `class`: String?
        let cases: [Case]?
    }
    let layouts: [Layout]

    static let all: [Layout] = (try? SPMFixtures.golden("autotokenizer.json", as: AutoGolden.self).layouts) ?? []
    static var names: [String] { all.map(\.name) }

    /// Builds the layout in a temporary folder.
    static func folder(_ layout: Layout) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lmcore-auto-\(layout.name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: SPMFixtures.root.appendingPathComponent("goldens/autotokenizer.json"))) as? [String: Any]
        let rawLayout = (raw?["layouts"] as? [[String: Any]])?.first { $0["name"] as? String == layout.name }
        for (file, source) in rawLayout?["files"] as? [String: Any] ?? [:] {
            let target = dir.appendingPathComponent(file)
            if let rel = source as? String {
                try FileManager.default.copyItem(atPath: SPMFixtures.path(rel), toPath: target.path)
            } else {
                try JSONSerialization.data(withJSONObject: source).write(to: target)
            }
        }
        return dir
    }
}

@Suite struct AutoTokenizerTests {
    @Test func goldensLoaded() { #expect(AutoGolden.all.count == 11) }

    /// The class transformers picks maps to lmcore's choice; refusals are refusals, except the
    /// documented deviations.
    @Test(arguments: AutoGolden.names)
    func choiceMatchesTransformers(name: String) throws {
        let layout = try #require(AutoGolden.all.first { $0.name == name })
        let dir = try AutoGolden.folder(layout)
        defer { try? FileManager.default.removeItem(at: dir) }
        let choice = Result { try AutoTokenizer.choose(path: dir.path) }
        switch (layout.class, try? choice.get()) {
        case ("MarianTokenizer", .marian?): break
        case ("T5Tokenizer", .t5SentencePiece?) where layout.files["tokenizer.json"] == nil: break
        case ("T5Tokenizer", .tokenizerJSON?) where layout.files["tokenizer.json"] != nil: break
        case ("TokenizersBackend", .tokenizerJSON?): break
        case (nil, nil): break
        case (nil, let c?):
            #expect(layout.deviation != nil, "\(name): transformers refuses, lmcore chose \(c)")
        case (let cls, let c):
            Issue.record("\(name): transformers picked \(cls ?? "nothing"), lmcore \(String(describing: c)) \(choice)")
        }
    }

    /// Loading gives the reference ids (layouts the tokenizer.json pipeline serves run when it is
    /// linked in).
    @Test(arguments: AutoGolden.names)
    func loadedTokenizerMatchesTransformers(name: String) throws {
        let layout = try #require(AutoGolden.all.first { $0.name == name })
        guard let cases = layout.cases, layout.ids_deviation == nil else { return }
        let dir = try AutoGolden.folder(layout)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tok = try AutoTokenizer.load(path: dir.path)
        for c in cases {
            #expect(try tok.encode(c.text).ids == c.ids, "\(name) \(c.text)")
        }
    }

    @Test func modelFileIsPlainSentencePiece() throws {
        let path = SPMFixtures.path("opus-mt-en-mg/source.spm")
        #expect(try AutoTokenizer.choose(path: path) == .sentencePiece(file: path))
        let tok = try AutoTokenizer.load(path: path)
        #expect(tok is SentencePieceProcessor)
        // sentencepiece's own ids (not vocab.json's), and no </s>: a bare model adds no special tokens.
        let golden = try SPMDirectGolden.load("opus-mt-en-mg-source.json")
        let c = try #require(golden.cases.first { $0.text == "Hello world" })
        #expect(try tok.encode("Hello world").ids == c.ids)
        #expect(c.ids.count == 2)
    }

    @Test func tokenizerJSONFileIsUsedAlone() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lmcore-auto-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tokenizer.json")
        try Data("{}".utf8).write(to: file)
        #expect(try AutoTokenizer.choose(path: file.path) == .tokenizerJSON(file: file.path, config: nil))
    }

    @Test func missingPathAndUnknownFilesThrow() throws {
        #expect(throws: InputError.self) { try AutoTokenizer.choose(path: "/nonexistent/lmcore/model") }
        #expect(throws: InputError.self) { try AutoTokenizer.load(path: SPMFixtures.path("opus-mt-en-mg/README.md")) }
        // The ortx folder names MarianTokenizer but has neither source.spm nor tokenizer.json.
        #expect(throws: InputError.self) { try AutoTokenizer.choose(path: SPMFixtures.path("marian-nmt-ortx-test")) }
    }
}
