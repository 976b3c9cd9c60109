// What transformers' tokenizers backend (tokenization_utils_tokenizers.py / _base.py,
// transformers 5.23) adds on top of the raw tokenizer: clean_up_tokenization_spaces on decode
// (skipped for BPE models), the special tokens behind `all_special_ids`, and the config's special
// tokens that tokenizer.json lacks (added at load, with new ids). add_bos_token/add_eos_token are
// dropped by transformers when a tokenizer.json exists, so they change nothing here. Truncation and padding
// stored in tokenizer.json are not applied by transformers unless asked, so they are ignored when
// a tokenizer_config.json is given.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LMInput

/// The parts of tokenizer_config.json that change ids or text.
package struct TransformersConfiguration: Sendable {
    /// Whether a tokenizer_config.json was given (transformers semantics).
    package var isPresent: Bool = false
    /// `clean_up_tokenization_spaces` (transformers 5 defaults to false).
    package var cleanUpTokenizationSpaces: Bool = false
    /// `clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output`.
    package var cleanUpEvenForBPE: Bool = false
    /// Named special tokens (bos, eos, unk, sep, pad, cls, mask, model-specific ones) then
    /// extra ones, as `all_special_tokens`.
    package var allSpecialTokens: [String] = []
    /// Named special tokens in transformers' attribute order (nil where unset).
    var named: [(String, AddedTokenConfig)] = []
    var extra: [AddedTokenConfig] = []
    /// `added_tokens_decoder`, by id.
    var addedTokensDecoder: [(Int, AddedTokenConfig)] = []

    /// Raw tokenizers semantics: truncation/padding from tokenizer.json apply.
    var appliesTruncationAndPadding: Bool { !isPresent }

    package init() {}

    /// Reads tokenizer_config.json as transformers does (Python's json: a duplicated field takes its
    /// last value, lone surrogate escapes become U+FFFD).
    init(parsing data: Data, source: String) throws {
        let object: Config
        do {
            object = try JSONValueDecoder.decode(Config.self, from: JSONReader.parse(data, options: .python))
        } catch let e as JSONReader.ParseError {
            throw InputError.format("\(source): \(e)")
        } catch let e as DecodingError {
            throw InputError.format("\(source): \(TokenizerFile.describe(e))")
        } catch let e as InputError {
            throw e
        } catch {
            throw InputError.format("\(source): \(error)")
        }
        isPresent = true
        cleanUpTokenizationSpaces = object.cleanUp ?? false
        cleanUpEvenForBPE = object.cleanUpBPE ?? false
        addedTokensDecoder = object.addedTokensDecoder.sorted { $0.0 < $1.0 }
        // Named tokens written as strings take the flags of the same token in added_tokens_decoder.
        let byContent = Dictionary(addedTokensDecoder.map { ($0.1.content, $0.1) }, uniquingKeysWith: { a, _ in a })
        named = object.named.map { key, t in (key, t.id == TransformersConfiguration.plainString ? (byContent[t.content] ?? t) : t) }
        extra = object.extra
        var seen = Set<[UInt8]>()
        for t in named.map(\.1) + extra where seen.insert(Array(t.content.utf8)).inserted {
            allSpecialTokens.append(t.content)
        }
    }

    /// Marks a token that was written as a plain string.
    static let plainString: Int64 = -2

    /// The tokens transformers' tokenizers backend adds to the raw tokenizer at load: entries of
    /// added_tokens_decoder that tokenizer.json lacks (same content and flags), then named and
    /// extra special tokens whose content is not an added token yet.
    func tokensToAdd(existing: AddedVocabulary) -> [AddedTokenConfig] {
        func same(_ a: AddedToken, _ b: AddedTokenConfig) -> Bool {
            a.content.utf8.elementsEqual(b.content.utf8) && a.special == b.special && a.normalized == b.normalized
                && a.lstrip == b.lstrip && a.rstrip == b.rstrip && a.singleWord == b.singleWord
        }
        var out: [AddedTokenConfig] = []
        for (_, t) in addedTokensDecoder {
            let present = existing.id(of: t.content).flatMap { existing.tokensById[$0] }.map { same($0, t) } ?? false
            if !present { out.append(t) }
        }
        var encoder = Set(existing.contentToId.keys)
        for t in out { encoder.insert(Array(t.content.utf8)) }
        let namedContents = Set(named.map { Array($0.1.content.utf8) })
        for t in named.map(\.1) + extra where !encoder.contains(Array(t.content.utf8)) {
            encoder.insert(Array(t.content.utf8))
            var token = t
            if t.id == TransformersConfiguration.plainString {
                token = AddedTokenConfig(content: t.content, special: true)
            } else if !token.special && namedContents.contains(Array(t.content.utf8)) {
                token.special = true
            }
            out.append(token)
        }
        return out
    }

    private struct Config: Decodable {
        var cleanUp: Bool?
        var cleanUpBPE: Bool?
        var named: [(String, AddedTokenConfig)] = []
        var extra: [AddedTokenConfig] = []
        var addedTokensDecoder: [(Int, AddedTokenConfig)] = []
        static let attributes = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            cleanUp = try? c.get("clean_up_tokenization_spaces")
            cleanUpBPE = try? c.get("clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output")
            for key in Config.attributes {
                if let t = Config.token(c, key) { named.append((key, t)) }
            }
            // Model-specific named tokens: other "*_token" keys, and extra_special_tokens given as
            // an object (JSON object order is not kept, so they are taken by key name).
            for key in c.allKeys.map(\.stringValue).sorted()
            where key.hasSuffix("_token") && !Config.attributes.contains(key) {
                if let s = try? c.decode(String.self, forKey: AnyKey(stringValue: key)) {
                    named.append((key, AddedTokenConfig(content: s, special: true, id: TransformersConfiguration.plainString)))
                }
            }
            if let map = try? c.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(stringValue: "extra_special_tokens")) {
                for key in map.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                    if let t = Config.token(map, key.stringValue) { named.append((key.stringValue, t)) }
                }
            }
            let extraKey = c.contains(AnyKey(stringValue: "extra_special_tokens")) ? "extra_special_tokens" : "additional_special_tokens"
            if var list = try? c.nestedUnkeyedContainer(forKey: AnyKey(stringValue: extraKey)) {
                while !list.isAtEnd {
                    if let s = try? list.decode(String.self) {
                        extra.append(AddedTokenConfig(content: s, special: true, id: TransformersConfiguration.plainString))
                    } else if let t = try? list.decode(AddedTokenConfig.self) {
                        extra.append(t)
                    } else {
                        _ = try? list.decode(Skip.self)
                    }
                }
            }
            if let map = try? c.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(stringValue: "added_tokens_decoder")) {
                for key in map.allKeys {
                    guard let id = Int(key.stringValue) else { continue }
                    let t = try map.decode(AddedTokenConfig.self, forKey: key)
                    addedTokensDecoder.append((id, t))
                }
            }
        }

        /// A special token given as a string or as an AddedToken object.
        static func token(_ c: KeyedDecodingContainer<AnyKey>, _ key: String) -> AddedTokenConfig? {
            if let s = try? c.decode(String.self, forKey: AnyKey(stringValue: key)) {
                return AddedTokenConfig(content: s, special: true, id: TransformersConfiguration.plainString)
            }
            return try? c.decode(AddedTokenConfig.self, forKey: AnyKey(stringValue: key))
        }
    }

    private struct Skip: Decodable { init(from decoder: Decoder) throws {} }

    /// transformers' `clean_up_tokenization` (unlike HF's WordPiece cleanup, no " do not").
    package static func cleanUpTokenization(_ text: String) -> String {
        var t = text
        for (a, b) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                       (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            t = t.replacingAll(a, with: b)
        }
        return t
    }
}
