#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LMInput

// What transformers 5.x `PreTrainedTokenizerBase.from_pretrained` reads for a Python tokenizer
// (tokenization_utils_base.py `_from_pretrained`): tokenizer_config.json, then — only when it has
// no `added_tokens_decoder` — the legacy special_tokens_map.json, added_tokens.json and
// tokenizer.json's "added_tokens".

extension MarianTokenizer {
    /// An added token (`tokenizers.AddedToken`): matched in text before SentencePiece runs.
    package struct AddedToken: Sendable, Equatable {
        package var content: String
        package var lstrip = false
        package var rstrip = false
        package var singleWord = false
        package var normalized = false
        package var special = true

        package init(content: String, lstrip: Bool = false, rstrip: Bool = false, singleWord: Bool = false,
                    normalized: Bool = false, special: Bool = true) {
            self.content = content
            self.lstrip = lstrip
            self.rstrip = rstrip
            self.singleWord = singleWord
            self.normalized = normalized
            self.special = special
        }

        /// From a serialized AddedToken (`{"content": ..., "lstrip": ...}`) or a plain string.
        init?(json: JSONValue, special: Bool) {
            if let s = json.string {
                self.init(content: s, special: special)
                return
            }
            guard let content = json["content"]?.string else { return nil }
            self.init(content: content,
                      lstrip: json["lstrip"]?.bool ?? false,
                      rstrip: json["rstrip"]?.bool ?? false,
                      singleWord: json["single_word"]?.bool ?? false,
                      normalized: json["normalized"]?.bool ?? !special,
                      special: json["special"]?.bool ?? special)
        }
    }

    /// The tokenizer_config.json settings MarianTokenizer uses.
    package struct Configuration: Sendable {
        package var sourceLang: String?
        package var targetLang: String?
        package var separateVocabs = false
        package var cleanUpTokenizationSpaces = false
        /// Named special tokens in transformers' order (bos, eos, unk, sep, pad, cls, mask), with
        /// MarianTokenizer's defaults for eos, unk and pad.
        package var namedSpecialTokens: [(name: String, token: String)] = [
            ("eos_token", "</s>"), ("unk_token", "<unk>"), ("pad_token", "<pad>"),
        ]
        /// `extra_special_tokens` (formerly `additional_special_tokens`).
        package var extraSpecialTokens: [String] = []
        /// `added_tokens_decoder`: id -> token.
        package var addedTokensDecoder: [(id: Int32, token: AddedToken)] = []

        package init() {}

        static let namedOrder = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token",
                                 "mask_token"]

        /// Reads a model folder's tokenizer_config.json and legacy files (all optional).
        package static func load(directory: String) throws -> Configuration {
            var c = Configuration()
            let fm = FileManager.default
            func path(_ name: String) -> String { joinPath(directory, name) }
            var config = JSONValue.object([])
            if fm.fileExists(atPath: path("tokenizer_config.json")) {
                config = try JSONReader.parse(contentsOf: path("tokenizer_config.json"), options: .python)
            }
            let name = path("tokenizer_config.json")
            func token(_ json: JSONValue, _ field: String) throws -> String? {
                if json.isNull { return nil }
                if let s = json.string { return s }
                if let s = json["content"]?.string { return s }
                throw InputError.format("\(name): \(field) must be a string or an AddedToken object")
            }
            // Named tokens and extras from the config, then (legacy) from special_tokens_map.json.
            // A null named token means "not set" (the class default applies).
            var named: [String: String] = [:]
            var extras: [String] = []
            var hasExtras = false
            func absorb(_ json: JSONValue, overwrite: Bool) throws {
                guard case .object(let members) = json else { return }
                for (key, value) in members {
                    if namedOrder.contains(key) {
                        if overwrite || named[key] == nil, let t = try token(value, key) { named[key] = t }
                    } else if key == "additional_special_tokens" || key == "extra_special_tokens" {
                        guard case .array(let items) = value else { continue }
                        let list = try items.compactMap { try token($0, key) }
                        if overwrite || !hasExtras {
                            extras = list
                        } else {
                            for t in list where !extras.contains(where: { PythonKey($0) == PythonKey(t) }) { extras.append(t) }
                        }
                        hasExtras = true
                    }
                }
            }
            try absorb(config, overwrite: true)
            c.sourceLang = config["source_lang"]?.string
            c.targetLang = config["target_lang"]?.string
            c.separateVocabs = config["separate_vocabs"]?.bool ?? false
            c.cleanUpTokenizationSpaces = config["clean_up_tokenization_spaces"]?.bool ?? false

            if case .object(let decoder)? = config["added_tokens_decoder"] {
                for (key, value) in decoder {
                    guard let id = Int32(key), let t = AddedToken(json: value, special: false) else {
                        throw InputError.format("\(name): added_tokens_decoder entry '\(key)' is malformed")
                    }
                    c.addedTokensDecoder.append((id, t))
                }
            } else {
                if fm.fileExists(atPath: path("special_tokens_map.json")) {
                    try absorb(JSONReader.parse(contentsOf: path("special_tokens_map.json"), options: .python), overwrite: false)
                }
                if fm.fileExists(atPath: path("added_tokens.json")),
                   case .object(let added) = try JSONReader.parse(contentsOf: path("added_tokens.json"), options: .python) {
                    let specials = Set(named.values.map(PythonKey.init) + extras.map(PythonKey.init))
                    for (content, idJSON) in added {
                        guard let id = idJSON.integer, let id32 = Int32(exactly: id) else {
                            throw InputError.format("\(path("added_tokens.json")): id of '\(content)' is not an integer")
                        }
                        let special = specials.contains(PythonKey(content))
                        c.addedTokensDecoder.append((id32, AddedToken(content: content, normalized: !special, special: special)))
                    }
                }
                if fm.fileExists(atPath: path("tokenizer.json")),
                   case .array(let added)? = try JSONReader.parse(contentsOf: path("tokenizer.json"), options: .python)["added_tokens"] {
                    for entry in added {
                        guard let id = entry["id"]?.integer, let id32 = Int32(exactly: id),
                              let t = AddedToken(json: entry, special: false) else {
                            throw InputError.format("\(path("tokenizer.json")): malformed added_tokens entry")
                        }
                        c.addedTokensDecoder.append((id32, t))
                    }
                }
            }
            for key in namedOrder {
                guard let v = named[key] else { continue }
                if let idx = c.namedSpecialTokens.firstIndex(where: { $0.name == key }) {
                    c.namedSpecialTokens[idx].token = v
                } else {
                    c.namedSpecialTokens.append((key, v))
                }
            }
            c.namedSpecialTokens.sort { a, b in
                (namedOrder.firstIndex(of: a.name) ?? 99) < (namedOrder.firstIndex(of: b.name) ?? 99)
            }
            c.extraSpecialTokens = extras
            return c
        }
    }
}

/// `directory/name` (no Foundation path APIs beyond FoundationEssentials).
func joinPath(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}
