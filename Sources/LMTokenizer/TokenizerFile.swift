// The typed form of HF tokenizers' tokenizer.json (tokenizer/serialization.rs, tokenizers 0.23).
// Component variants are enums whose raw values are the JSON "type" strings; an unknown type
// throws `InputError.unsupported` naming it.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LMInput

/// A parsed tokenizer.json.
package struct TokenizerFile: Decodable, Sendable {
    package var version: String?
    package var truncation: TruncationConfig?
    package var padding: PaddingConfig?
    package var addedTokens: [AddedTokenConfig]
    package var normalizer: NormalizerConfig?
    package var preTokenizer: PreTokenizerConfig?
    package var model: TokenizerModelConfig
    package var postProcessor: PostProcessorConfig?
    package var decoder: DecoderConfig?

    enum CodingKeys: String, CodingKey {
        case version, truncation, padding, normalizer, model, decoder
        case addedTokens = "added_tokens", preTokenizer = "pre_tokenizer", postProcessor = "post_processor"
    }

    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decodeIfPresent(String.self, forKey: .version)
        if let v = version, v != "1.0" {
            throw InputError.unsupported("tokenizer.json: unknown tokenizer version '\(v)'")
        }
        truncation = try c.decodeIfPresent(TruncationConfig.self, forKey: .truncation)
        padding = try c.decodeIfPresent(PaddingConfig.self, forKey: .padding)
        addedTokens = try c.decodeIfPresent([AddedTokenConfig].self, forKey: .addedTokens) ?? []
        normalizer = try c.decodeIfPresent(NormalizerConfig.self, forKey: .normalizer)
        preTokenizer = try c.decodeIfPresent(PreTokenizerConfig.self, forKey: .preTokenizer)
        model = try c.decode(TokenizerModelConfig.self, forKey: .model)
        postProcessor = try c.decodeIfPresent(PostProcessorConfig.self, forKey: .postProcessor)
        self.decoder = try c.decodeIfPresent(DecoderConfig.self, forKey: .decoder)
    }

    /// Parses tokenizer.json bytes as the tokenizers crate does (serde_json: strict, lone surrogates
    /// rejected, a duplicated map key takes its last value); malformed input throws
    /// `InputError.format` naming `source`.
    package static func parse(_ data: Data, source: String = "tokenizer.json") throws -> TokenizerFile {
        let parsed: (value: JSONValue, captured: [[String]: JSONBulk])
        do {
            parsed = try JSONReader.parse(data, options: .serde, capturing: ModelBulkData.paths)
        } catch {
            throw InputError.format("\(source): \(error)")
        }
        do {
            return try JSONValueDecoder.decode(TokenizerFile.self, from: parsed.value,
                                               userInfo: [ModelBulkData.userInfoKey: parsed.captured])
        } catch let error as InputError {
            throw error
        } catch let error as DecodingError {
            throw InputError.format("\(source): \(TokenizerFile.describe(error))")
        } catch {
            throw InputError.format("\(source): \(error)")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ p: [CodingKey]) -> String {
            p.isEmpty ? "<root>" : p.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let t, let ctx): return "field \(path(ctx.codingPath)): expected \(t): \(ctx.debugDescription)"
        case .valueNotFound(let t, let ctx): return "field \(path(ctx.codingPath)): missing \(t) value"
        case .keyNotFound(let k, let ctx): return "field \(path(ctx.codingPath + [k])) is missing"
        case .dataCorrupted(let ctx): return "invalid JSON at \(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// A key for containers whose keys are data (vocabularies, special token maps).
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

/// Reads the "type" tag of a component and maps it to `Kind`, or throws `unsupported`.
func decodeKind<Kind: RawRepresentable>(_ decoder: Decoder, _ component: String) throws -> Kind
where Kind.RawValue == String {
    let c = try decoder.container(keyedBy: AnyKey.self)
    let name = try c.decode(String.self, forKey: AnyKey(stringValue: "type"))
    guard let kind = Kind(rawValue: name) else {
        throw InputError.unsupported("tokenizer.json: unsupported \(component) type \"\(name)\" at \(pathString(decoder.codingPath))")
    }
    return kind
}

func pathString(_ p: [CodingKey]) -> String {
    p.isEmpty ? "<root>" : p.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
}

extension KeyedDecodingContainer where K == AnyKey {
    func get<T: Decodable>(_ key: String, _ fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: AnyKey(stringValue: key)) ?? fallback
    }
    func get<T: Decodable>(_ key: String) throws -> T? {
        try decodeIfPresent(T.self, forKey: AnyKey(stringValue: key))
    }
    func require<T: Decodable>(_ key: String) throws -> T {
        try decode(T.self, forKey: AnyKey(stringValue: key))
    }
}

/// One entry of "added_tokens".
package struct AddedTokenConfig: Decodable, Sendable, Equatable {
    package var id: Int64
    package var content: String
    package var singleWord: Bool
    package var lstrip: Bool
    package var rstrip: Bool
    package var normalized: Bool
    package var special: Bool

    package init(content: String, special: Bool, normalized: Bool? = nil, lstrip: Bool = false, rstrip: Bool = false,
                singleWord: Bool = false, id: Int64 = -1) {
        self.id = id
        self.content = content
        self.special = special
        self.normalized = normalized ?? !special
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.singleWord = singleWord
    }

    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        id = try c.get("id", -1)
        content = try c.require("content")
        special = try c.get("special", false)
        singleWord = try c.get("single_word", false)
        lstrip = try c.get("lstrip", false)
        rstrip = try c.get("rstrip", false)
        normalized = try c.get("normalized", !special)
    }
}

/// `{"String": "..."}` or `{"Regex": "..."}` in Split / Replace.
package enum PatternConfig: Decodable, Sendable, Equatable {
    case string(String)
    case regex(String)

    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        if let s: String = try c.get("String") {
            self = .string(s)
        } else if let r: String = try c.get("Regex") {
            self = .regex(r)
        } else {
            throw InputError.format("tokenizer.json: pattern at \(pathString(decoder.codingPath)) needs a \"String\" or \"Regex\" key")
        }
    }

    /// HF compiles a String pattern as the escaped regex; a plain search finds the same matches,
    /// except for the empty string, which as a regex matches (emptily) at every position.
    func compile(context: String) throws -> SplitPattern {
        switch self {
        case .string(let s) where s.isEmpty: return .regex(try OnigurumaPattern("", context: context))
        case .string(let s): return .literal(Array(s.utf8))
        case .regex(let r): return .regex(try OnigurumaPattern(r, context: context))
        }
    }
}

/// "truncation": as HF `TruncationParams`.
package struct TruncationConfig: Decodable, Sendable {
    package enum Direction: String, Decodable, Sendable { case left = "Left", right = "Right" }
    package enum Strategy: String, Decodable, Sendable {
        case longestFirst = "LongestFirst", onlyFirst = "OnlyFirst", onlySecond = "OnlySecond"
    }
    package var direction: Direction
    package var maxLength: Int
    package var strategy: Strategy
    package var stride: Int

    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        direction = try c.get("direction", .right)
        maxLength = try c.require("max_length")
        strategy = try c.get("strategy", .longestFirst)
        stride = try c.get("stride", 0)
        guard maxLength >= 0, stride >= 0 else {
            throw InputError.format("tokenizer.json: truncation max_length/stride must not be negative")
        }
    }
}

/// "padding": as HF `PaddingParams`.
package struct PaddingConfig: Decodable, Sendable {
    package enum Strategy: Sendable, Equatable { case batchLongest, fixed(Int) }
    package enum Direction: String, Decodable, Sendable { case left = "Left", right = "Right" }
    package var strategy: Strategy
    package var direction: Direction
    package var padToMultipleOf: Int?
    package var padId: Int32
    package var padTypeId: Int32
    package var padToken: String

    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        if let s: String = try? c.get("strategy"), s == "BatchLongest" {
            strategy = .batchLongest
        } else if let fixed = try? c.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(stringValue: "strategy")) {
            let n: Int = try fixed.require("Fixed")
            guard n >= 0 else { throw InputError.format("tokenizer.json: padding Fixed length is negative") }
            strategy = .fixed(n)
        } else {
            strategy = .batchLongest
        }
        direction = try c.get("direction", .right)
        padToMultipleOf = try c.get("pad_to_multiple_of")
        padId = try c.get("pad_id", 0)
        padTypeId = try c.get("pad_type_id", 0)
        padToken = try c.get("pad_token", "[PAD]")
    }
}
