#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LMInput

// Follows what transformers 5.23 does for a T5 folder holding spiece.model but no tokenizer.json
// (T5Tokenizer is a TokenizersBackend; tokenization_utils_tokenizers.py `_convert_from_sentencepiece`,
// convert_slow_tokenizer.py `SentencePieceExtractor` / `T5Converter.convert_from_spm`,
// models/t5/tokenization_t5.py): it does NOT run sentencepiece, it builds a `tokenizers` pipeline —
// Precompiled normalizer from the model's charsmap, WhitespaceSplit + Metaspace(prepend "always"),
// a Unigram model over the pieces and scores plus <extra_id_N> sentinels (unk id fixed at 2, no
// byte fallback), "$A </s>" post-processing — and adds the special tokens. The `legacy` flag has
// no effect in 5.23.

/// Converts a T5 `spiece.model` (plus its folder's tokenizer_config.json) into the tokenizer.json
/// transformers 5.23 builds from it, and the tokenizer_config.json that gives its special tokens.
package struct T5SentencePieceConverter: Sendable {
    /// The pipeline, serialized as tokenizer.json.
    package let tokenizerJSON: [UInt8]
    /// clean_up_tokenization_spaces and the special tokens, serialized as tokenizer_config.json.
    package let tokenizerConfig: [UInt8]

    /// An added token of the resulting tokenizer.json.
    struct Added {
        var content: String
        var special: Bool
        var normalized: Bool
        var lstrip = false
        var rstrip = false
        var singleWord = false
    }

    /// Converts a folder's spiece.model with its tokenizer_config.json (if present).
    package init(directory: String) throws {
        let config = joinPath(directory, "tokenizer_config.json")
        try self.init(spieceModel: joinPath(directory, "spiece.model"),
                      tokenizerConfig: FileManager.default.fileExists(atPath: config) ? config : nil)
    }

    /// Converts a spiece.model file, with a tokenizer_config.json file if given.
    package init(spieceModel: String, tokenizerConfig: String?) throws {
        let proto = try SentencePieceModelProto(contentsOf: spieceModel)
        let config = try tokenizerConfig.map { try JSONReader.parse(contentsOf: $0, options: .python) }
        try self.init(proto: proto, config: config, name: spieceModel)
    }

    /// - Parameters:
    ///   - proto: the parsed spiece.model.
    ///   - config: the folder's tokenizer_config.json, if any.
    ///   - name: labels errors.
    init(proto: SentencePieceModelProto, config: JSONValue?, name: String) throws {
        let config = config ?? .object([])
        func tokenValue(_ key: String) throws -> Added? {
            guard let v = config[key], !v.isNull else { return nil }
            if let s = v.string { return Added(content: s, special: true, normalized: false) }
            guard let content = v["content"]?.string else {
                throw InputError.format("\(name): \(key) must be a string or an AddedToken object")
            }
            return Added(content: content, special: true, normalized: v["normalized"]?.bool ?? false,
                         lstrip: v["lstrip"]?.bool ?? false, rstrip: v["rstrip"]?.bool ?? false,
                         singleWord: v["single_word"]?.bool ?? false)
        }
        func addedToken(_ v: JSONValue, special: Bool, field: String) throws -> Added {
            if let s = v.string { return Added(content: s, special: special, normalized: !special) }
            guard let content = v["content"]?.string else {
                throw InputError.format("\(name): \(field) entries must be strings or AddedToken objects")
            }
            let sp = v["special"]?.bool ?? special
            return Added(content: content, special: sp, normalized: v["normalized"]?.bool ?? !sp,
                         lstrip: v["lstrip"]?.bool ?? false, rstrip: v["rstrip"]?.bool ?? false,
                         singleWord: v["single_word"]?.bool ?? false)
        }

        var extraIds = 100
        if let v = config["extra_ids"], !v.isNull {
            guard let n = v.integer, n >= 0, n <= 1_000_000 else {
                throw InputError.format("\(name): extra_ids must be a non-negative integer")
            }
            extraIds = n
        }

        // The Unigram model: the pieces with their scores, then the sentinels, last id first.
        var vocab: [(String, Double)] = proto.pieces.map { ($0.piece, Double($0.score)) }
        vocab += (0..<extraIds).reversed().map { ("<extra_id_\($0)>", 0.0) }
        var modelIds: [PythonKey: Int32] = [:]
        for (i, v) in vocab.enumerated() { modelIds[PythonKey(v.0)] = Int32(i) }

        // Named special tokens (T5Tokenizer's defaults for eos, unk and pad), in transformers' order.
        var named: [Added] = []
        let defaults = ["eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"]
        for key in ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"] {
            if let t = try tokenValue(key) {
                named.append(t)
            } else if let d = defaults[key] {
                named.append(Added(content: d, special: true, normalized: false))
            }
        }
        // Extra special tokens: tokenizer_config's list, else the model's control (special) and
        // user-defined (not special) pieces followed by the sentinels.
        var extras: [Added] = []
        if let v = config["extra_special_tokens"] ?? config["additional_special_tokens"], !v.isNull {
            guard case .array(let items) = v else {
                throw InputError.unsupported("\(name): extra_special_tokens as a mapping is not supported for T5")
            }
            extras = try items.map { try addedToken($0, special: true, field: "additional_special_tokens") }
        } else {
            for p in proto.pieces where p.type == .control || p.type == .userDefined {
                extras.append(Added(content: p.piece, special: p.type == .control, normalized: false))
            }
            if !extras.contains(where: { $0.content.contains("<extra_id_") }) {
                extras += (0..<extraIds).map { Added(content: "<extra_id_\($0)>", special: true, normalized: false) }
            }
        }

        // TokenizersBackend.__init__: saved added tokens (by id), then missing named and extra
        // special tokens, added in that order; ids from the model vocabulary or appended after it.
        var toAdd: [Added] = []
        if case .object(let decoder)? = config["added_tokens_decoder"] {
            let entries = try decoder.map { key, value -> (Int, Added) in
                guard let id = Int(key) else { throw InputError.format("\(name): added_tokens_decoder key '\(key)'") }
                return (id, try addedToken(value, special: false, field: "added_tokens_decoder"))
            }
            toAdd = entries.sorted { $0.0 < $1.0 }.map(\.1)
        }
        func has(_ t: Added) -> Bool { toAdd.contains { PythonKey($0.content) == PythonKey(t.content) } }
        for var t in named where !has(t) {
            t.special = true
            toAdd.append(t)
        }
        let namedContents = Set(named.map { PythonKey($0.content) })
        for var t in extras where !has(t) {
            if namedContents.contains(PythonKey(t.content)) { t.special = true }
            toAdd.append(t)
        }
        var added: [(id: Int32, token: Added)] = []
        var addedIds: [PythonKey: Int32] = [:]
        for t in toAdd where !t.content.isEmpty && addedIds[PythonKey(t.content)] == nil {
            let id: Int32
            if let existing = modelIds[PythonKey(t.content)] {
                id = existing
            } else {
                let maxAdded = added.map(\.id).max()
                if let m = maxAdded, m >= Int32(vocab.count) { id = m + 1 } else { id = Int32(vocab.count) }
            }
            added.append((id, t))
            addedIds[PythonKey(t.content)] = id
        }
        // The template names "</s>" but takes the id of the configured eos token.
        let eosToken = try tokenValue("eos_token")?.content ?? "</s>"
        guard let eosId = addedIds[PythonKey(eosToken)] ?? modelIds[PythonKey(eosToken)] else {
            throw InputError.format("\(name): the end-of-sequence token '\(eosToken)' has no id")
        }

        tokenizerJSON = Self.pipeline(proto: proto, vocab: vocab, added: added, eosId: eosId).serialized()
        var specials: [String] = []
        for t in named.map(\.content) + extras.map(\.content)
        where !specials.contains(where: { PythonKey($0) == PythonKey(t) }) {
            specials.append(t)
        }
        let clean = config["clean_up_tokenization_spaces"]?.bool ?? false
        tokenizerConfig = JSONValue.object([
            ("clean_up_tokenization_spaces", .bool(clean)),
            ("extra_special_tokens", .array(specials.map { .string($0) })),
        ]).serialized()
    }

    /// The tokenizer.json object.
    private static func pipeline(proto: SentencePieceModelProto, vocab: [(String, Double)],
                                 added: [(id: Int32, token: Added)], eosId: Int32) -> JSONValue {
        let charsmap = proto.normalizerSpec.precompiledCharsmap
        let normalizer: JSONValue = charsmap.isEmpty ? .null : .object([
            ("type", .string("Precompiled")),
            ("precompiled_charsmap", .string(Data(charsmap).base64EncodedString())),
        ])
        let metaspace: [(key: String, value: JSONValue)] = [
            ("type", .string("Metaspace")), ("replacement", .string("\u{2581}")),
            ("prepend_scheme", .string("always")), ("split", .bool(true)),
        ]
        func sequence(_ id: String) -> JSONValue {
            .object([("Sequence", .object([("id", .string(id)), ("type_id", .number(0))]))])
        }
        let eos: JSONValue = .object([("SpecialToken", .object([("id", .string("</s>")), ("type_id", .number(0))]))])
        let addedJSON: [JSONValue] = added.sorted { $0.id < $1.id }.map { id, t in
            .object([
                ("id", .number(Double(id))), ("content", .string(t.content)), ("single_word", .bool(t.singleWord)),
                ("lstrip", .bool(t.lstrip)), ("rstrip", .bool(t.rstrip)), ("normalized", .bool(t.normalized)),
                ("special", .bool(t.special)),
            ])
        }
        return .object([
            ("version", .string("1.0")),
            ("truncation", .null),
            ("padding", .null),
            ("added_tokens", .array(addedJSON)),
            ("normalizer", normalizer),
            ("pre_tokenizer", .object([
                ("type", .string("Sequence")),
                ("pretokenizers", .array([.object([("type", .string("WhitespaceSplit"))]), .object(metaspace)])),
            ])),
            ("post_processor", .object([
                ("type", .string("TemplateProcessing")),
                ("single", .array([sequence("A"), eos])),
                ("pair", .array([sequence("A"), eos, sequence("B"), eos])),
                ("special_tokens", .object([
                    ("</s>", .object([
                        ("id", .string("</s>")), ("ids", .array([.number(Double(eosId))])),
                        ("tokens", .array([.string("</s>")])),
                    ])),
                ])),
            ])),
            ("decoder", .object(metaspace)),
            ("model", .object([
                ("type", .string("Unigram")),
                ("unk_id", .number(2)),
                ("vocab", .array(vocab.map { .array([.string($0.0), .number($0.1)]) })),
                ("byte_fallback", .bool(false)),
            ])),
        ])
    }
}
