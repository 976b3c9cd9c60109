import Foundation
import LMTokenizer
import Testing
import LMInput

/// Malformed or unsupported tokenizer.json files: each must give a clear `InputError`.
@Suite struct TokenizerMalformedTests {
    enum Kind: Sendable { case format, unsupported, io }

    struct BadFile: Sendable, CustomTestStringConvertible {
        var name: String
        var json: String
        var kind: Kind
        /// A fragment the message must contain (naming the field, token or type).
        var mentions: String
        var testDescription: String { name }
    }

    static let vocab = #""vocab": {"a": 0, "b": 1, "ab": 2, "[UNK]": 3}"#
    static func bpe(_ extra: String = "", merges: String = #"["a b"]"#) -> String {
        #"{"version": "1.0", "added_tokens": [], "model": {"type": "BPE", "#  + vocab + #", "merges": "# + merges + extra + "}}"
    }
    static func with(_ section: String, model: String = #"{"type": "WordLevel", "vocab": {"a": 0, "<unk>": 1}, "unk_token": "<unk>"}"#) -> String {
        #"{"version": "1.0", "model": "# + model + ", " + section + "}"
    }

    static let cases: [BadFile] = [
        BadFile(name: "empty file", json: "", kind: .format, mentions: "tokenizer.json"),
        BadFile(name: "not JSON", json: "hello", kind: .format, mentions: "invalid JSON"),
        BadFile(name: "truncated", json: String(bpe().prefix(60)), kind: .format, mentions: "tokenizer.json"),
        BadFile(name: "top level array", json: "[1, 2]", kind: .format, mentions: "tokenizer.json"),
        BadFile(name: "missing model", json: #"{"version": "1.0"}"#, kind: .format, mentions: "model"),
        BadFile(name: "unknown version", json: #"{"version": "2.0", "model": {}}"#, kind: .unsupported, mentions: "2.0"),
        BadFile(name: "vocab wrong type", json: #"{"model": {"type": "BPE", "vocab": [1, 2], "merges": []}}"#,
                kind: .format, mentions: "vocab"),
        BadFile(name: "normalizer wrong type", json: with(#""normalizer": 5"#), kind: .format, mentions: "normalizer"),
        BadFile(name: "merge names unknown token", json: bpe(merges: #"["a c"]"#), kind: .format, mentions: "\"c\""),
        BadFile(name: "merge result unknown", json: #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": [["a", "b"]]}}"#,
                kind: .format, mentions: "\"ab\""),
        BadFile(name: "merge line malformed", json: bpe(merges: #"["a b c"]"#), kind: .format, mentions: "merges"),
        BadFile(name: "merge pair malformed", json: bpe(merges: #"[["a"]]"#), kind: .format, mentions: "merges"),
        BadFile(name: "vocab id negative", json: #"{"model": {"type": "WordLevel", "vocab": {"a": -1}, "unk_token": "a"}}"#,
                kind: .format, mentions: "vocab"),
        BadFile(name: "vocab id too large", json: #"{"model": {"type": "WordLevel", "vocab": {"a": 3000000000}, "unk_token": "a"}}"#,
                kind: .format, mentions: "3000000000"),
        BadFile(name: "duplicate ids", json: ###"{"model": {"type": "WordPiece", "vocab": {"a": 0, "b": 0}, "unk_token": "a", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100}}"###,
                kind: .format, mentions: "duplicate id 0"),
        BadFile(name: "invalid regex", json: with(#""pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated", "invert": false}"#),
                kind: .format, mentions: "(unclosed"),
        BadFile(name: "invalid regex in normalizer", json: with(#""normalizer": {"type": "Replace", "pattern": {"Regex": "[a-"}, "content": "x"}"#),
                kind: .format, mentions: "[a-"),
        BadFile(name: "unknown normalizer", json: with(#""normalizer": {"type": "Frobnicate"}"#), kind: .unsupported, mentions: "Frobnicate"),
        BadFile(name: "unknown pre-tokenizer", json: with(#""pre_tokenizer": {"type": "Wordz"}"#), kind: .unsupported, mentions: "Wordz"),
        BadFile(name: "unknown decoder", json: with(#""decoder": {"type": "Magic"}"#), kind: .unsupported, mentions: "Magic"),
        BadFile(name: "unknown post-processor", json: with(#""post_processor": {"type": "Glue"}"#), kind: .unsupported, mentions: "Glue"),
        BadFile(name: "unknown model", json: #"{"model": {"type": "Wordpieceish", "vocab": {}}}"#, kind: .unsupported, mentions: "Wordpieceish"),
        BadFile(name: "missing type tag", json: with(#""normalizer": {"lowercase": true}"#), kind: .format, mentions: "type"),
        BadFile(name: "bpe dropout", json: bpe(#", "dropout": 0.1"#), kind: .unsupported, mentions: "dropout"),
        BadFile(name: "bpe dropout out of range", json: bpe(#", "dropout": 2.0"#), kind: .format, mentions: "dropout"),
        BadFile(name: "unigram unk_id out of range", json: #"{"model": {"type": "Unigram", "unk_id": 5, "vocab": [["a", -1.0]]}}"#,
                kind: .format, mentions: "unk_id"),
        BadFile(name: "unigram entry malformed", json: #"{"model": {"type": "Unigram", "vocab": [["a"]]}}"#, kind: .format, mentions: "vocab"),
        BadFile(name: "template unknown special", json: with(#""post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[X]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [], "special_tokens": {}}"#),
                kind: .format, mentions: "[X]"),
        BadFile(name: "template special ids/tokens mismatch", json: with(#""post_processor": {"type": "TemplateProcessing", "single": [], "pair": [], "special_tokens": {"[X]": {"id": "[X]", "ids": [1, 2], "tokens": ["[X]"]}}}"#),
                kind: .format, mentions: "[X]"),
        BadFile(name: "processor id out of range", json: with(#""post_processor": {"type": "BertProcessing", "sep": ["[SEP]", -4], "cls": ["[CLS]", 1]}"#),
                kind: .format, mentions: "sep"),
        BadFile(name: "metaspace replacement not one char", json: with(#""pre_tokenizer": {"type": "Metaspace", "replacement": "ab", "prepend_scheme": "always", "split": true}"#),
                kind: .format, mentions: "replacement"),
        BadFile(name: "metaspace contradictory legacy flag", json: with(#""pre_tokenizer": {"type": "Metaspace", "replacement": "_", "add_prefix_space": false, "prepend_scheme": "always"}"#),
                kind: .format, mentions: "add_prefix_space"),
        BadFile(name: "precompiled bad base64", json: with(#""normalizer": {"type": "Precompiled", "precompiled_charsmap": "!!!"}"#),
                kind: .format, mentions: "base64"),
        BadFile(name: "precompiled bad charsmap", json: with(#""normalizer": {"type": "Precompiled", "precompiled_charsmap": "AAAA"}"#),
                kind: .format, mentions: "precompiled_charsmap"),
        BadFile(name: "split behavior unknown", json: with(#""pre_tokenizer": {"type": "Split", "pattern": {"String": " "}, "behavior": "Sideways", "invert": false}"#),
                kind: .format, mentions: "behavior"),
        BadFile(name: "pattern without kind", json: with(#""pre_tokenizer": {"type": "Split", "pattern": {"Glob": "*"}, "behavior": "Isolated", "invert": false}"#),
                kind: .format, mentions: "pattern"),
        BadFile(name: "fixed length zero", json: with(#""pre_tokenizer": {"type": "FixedLength", "length": 0}"#), kind: .format, mentions: "length"),
        BadFile(name: "added token without content", json: #"{"added_tokens": [{"id": 0}], "model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}}"#,
                kind: .format, mentions: "content"),
        BadFile(name: "truncation negative", json: with(#""truncation": {"max_length": -1, "strategy": "LongestFirst", "direction": "Right", "stride": 0}"#),
                kind: .format, mentions: "truncation"),
    ]

    @Test(arguments: cases)
    func rejects(_ bad: BadFile) {
        do {
            _ = try HFTokenizer(tokenizerJSON: Data(bad.json.utf8), source: "tokenizer.json")
            Issue.record("\(bad.name): loaded without error")
        } catch let e as InputError {
            switch (bad.kind, e) {
            case (.format, .format), (.unsupported, .unsupported), (.io, .io): break
            default: Issue.record("\(bad.name): wrong error kind: \(e)")
            }
            #expect(e.description.contains(bad.mentions), "\(bad.name): message \(e.description.debugDescription) does not mention \(bad.mentions)")
        } catch {
            Issue.record("\(bad.name): not a InputError: \(error)")
        }
    }

    @Test func truncatedRealFile() throws {
        let path = Goldens.root.appendingPathComponent("gpt2/tokenizer.json")
        let data = try Data(contentsOf: path)
        for fraction in [0.1, 0.5, 0.999] {
            let cut = data.prefix(Int(Double(data.count) * fraction))
            #expect(throws: InputError.self) { _ = try HFTokenizer(tokenizerJSON: cut) }
        }
    }

    @Test func missingFileIsIOError() {
        #expect(throws: InputError.io("/nonexistent/tokenizer.json: cannot read (No such file or directory)")) {
            _ = try HFTokenizer.load(tokenizerJSON: "/nonexistent/tokenizer.json")
        }
    }

    @Test func malformedConfigIsFormatError() throws {
        let json = Data(Self.with(#""decoder": null"#).utf8)
        #expect(throws: InputError.self) {
            _ = try HFTokenizer(tokenizerJSON: json, tokenizerConfig: Data("{not json".utf8))
        }
    }

    @Test func unknownIdDoesNotDecode() throws {
        let tok = try HFTokenizer(tokenizerJSON: Data(Self.bpe().utf8))
        #expect(throws: InputError.self) { _ = try tok.decode([99], skipSpecialTokens: false) }
        #expect(throws: InputError.self) { _ = try tok.decode([-1], skipSpecialTokens: true) }
    }

    @Test func missingUnknownTokenFailsAtEncode() throws {
        let json = ###"{"model": {"type": "WordPiece", "vocab": {"a": 0}, "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100}}"###
        let tok = try HFTokenizer(tokenizerJSON: Data(json.utf8))
        #expect(try tok.encode("a", addSpecialTokens: false).ids == [0])
        #expect(throws: InputError.self) { _ = try tok.encode("b", addSpecialTokens: false) }
    }
}
