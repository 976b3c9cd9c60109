// What transformers' tokenizers backend (tokenization_utils_tokenizers.py / _base.py,
// transformers 5.23) adds on top of the raw tokenizer: clean_up_tokenization_spaces on decode
// (skipped for BPE models) and the special tokens behind `all_special_ids`. Truncation and padding
// stored in tokenizer.json are not applied by transformers unless asked, so they are ignored when
// a tokenizer_config.json is given.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The parts of tokenizer_config.json that change ids or text.
public struct TransformersConfiguration: Sendable {
    /// Whether a tokenizer_config.json was given (transformers semantics).
    public var isPresent: Bool = false
    /// `clean_up_tokenization_spaces` (transformers 5 defaults to false).
    public var cleanUpTokenizationSpaces: Bool = false
    /// `clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output`.
    public var cleanUpEvenForBPE: Bool = false
    /// Named special tokens (bos, eos, unk, sep, pad, cls, mask) then extra ones, as
    /// `all_special_tokens`.
    public var allSpecialTokens: [String] = []

    /// Raw tokenizers semantics: truncation/padding from tokenizer.json apply.
    var appliesTruncationAndPadding: Bool { !isPresent }

    public init() {}

    init(parsing data: Data, source: String) throws {
        let object: Config
        do {
            object = try JSONDecoder().decode(Config.self, from: data)
        } catch let e as DecodingError {
            throw TokenizerError.format("\(source): \(TokenizerFile.describe(e))")
        } catch let e as TokenizerError {
            throw e
        } catch {
            throw TokenizerError.format("\(source): \(error)")
        }
        isPresent = true
        cleanUpTokenizationSpaces = object.cleanUp ?? false
        cleanUpEvenForBPE = object.cleanUpBPE ?? false
        var seen = Set<[UInt8]>()
        for t in object.named + object.extra where seen.insert(Array(t.utf8)).inserted {
            allSpecialTokens.append(t)
        }
    }

    private struct Config: Decodable {
        var cleanUp: Bool?
        var cleanUpBPE: Bool?
        var named: [String] = []
        var extra: [String] = []

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            cleanUp = try? c.get("clean_up_tokenization_spaces")
            cleanUpBPE = try? c.get("clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output")
            for key in ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"] {
                if let t = Config.tokenString(c, key) { named.append(t) }
            }
            for key in ["additional_special_tokens", "extra_special_tokens"] {
                let k = AnyKey(stringValue: key)
                if var list = try? c.nestedUnkeyedContainer(forKey: k) {
                    while !list.isAtEnd {
                        if let s = try? list.decode(String.self) {
                            extra.append(s)
                        } else if let o = try? list.nestedContainer(keyedBy: AnyKey.self), let s: String = try? o.get("content") {
                            extra.append(s)
                        } else {
                            _ = try? list.decode(Skip.self)
                        }
                    }
                }
            }
        }

        /// A special token given as a string or as an AddedToken object.
        static func tokenString(_ c: KeyedDecodingContainer<AnyKey>, _ key: String) -> String? {
            if let s = try? c.decode(String.self, forKey: AnyKey(stringValue: key)) { return s }
            if let o = try? c.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(stringValue: key)) {
                return try? o.get("content")
            }
            return nil
        }
    }

    private struct Skip: Decodable { init(from decoder: Decoder) throws {} }

    /// transformers' `clean_up_tokenization` (unlike HF's WordPiece cleanup, no " do not").
    public static func cleanUpTokenization(_ text: String) -> String {
        var t = text
        for (a, b) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                       (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            t = t.replacingAll(a, with: b)
        }
        return t
    }
}
