// The "model" section of tokenizer.json (models/*/serialization.rs, tokenizers 0.23), including
// legacy files without a "type" (recognised by shape, in HF's untagged order).

/// The "model" section of tokenizer.json.
public enum ModelConfig: Decodable, Sendable {
    public enum Kind: String, Sendable { case bpe = "BPE", wordPiece = "WordPiece", wordLevel = "WordLevel", unigram = "Unigram" }

    public struct BPE: Sendable {
        public var vocab: [String: UInt32]
        public var merges: [(String, String)]
        public var dropout: Double?
        public var unkToken: String?
        public var continuingSubwordPrefix: String?
        public var endOfWordSuffix: String?
        public var fuseUnk: Bool
        public var byteFallback: Bool
        public var ignoreMerges: Bool
    }

    public struct WordPiece: Sendable {
        public var vocab: [String: UInt32]
        public var unkToken: String
        public var continuingSubwordPrefix: String
        public var maxInputCharsPerWord: Int
    }

    public struct WordLevel: Sendable {
        public var vocab: [String: UInt32]
        public var unkToken: String
    }

    public struct Unigram: Sendable {
        public var vocab: [(String, Double)]
        public var unkId: Int?
        public var byteFallback: Bool
    }

    case bpe(BPE)
    case wordPiece(WordPiece)
    case wordLevel(WordLevel)
    case unigram(Unigram)

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        let kind: Kind
        if c.contains(AnyKey(stringValue: "type")) {
            kind = try decodeKind(decoder, "model")
        } else if c.contains(AnyKey(stringValue: "merges")) {
            kind = .bpe
        } else if (try? c.decode([UnigramEntry].self, forKey: AnyKey(stringValue: "vocab"))) != nil {
            kind = .unigram
        } else if c.contains(AnyKey(stringValue: "max_input_chars_per_word")) {
            kind = .wordPiece
        } else {
            kind = .wordLevel
        }
        switch kind {
        case .bpe:
            let dropout: Double? = try c.get("dropout")
            var merges: [(String, String)] = []
            let mergesKey = AnyKey(stringValue: "merges")
            if let pairs = try? c.decode([[String]].self, forKey: mergesKey) {
                for (i, p) in pairs.enumerated() {
                    guard p.count == 2 else {
                        throw TokenizerError.format("tokenizer.json: model.merges[\(i)] must be a pair of strings")
                    }
                    merges.append((p[0], p[1]))
                }
            } else if let lines: [String] = try c.get("merges") {
                var rank = 0
                for line in lines where !line.hasPrefix("#version") {
                    let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                    guard parts.count == 2 else {
                        throw TokenizerError.format("tokenizer.json: model.merges line \(rank + 1) \(line.debugDescription) is not \"a b\"")
                    }
                    merges.append((String(parts[0]), String(parts[1])))
                    rank += 1
                }
            }
            self = .bpe(BPE(vocab: try decodeVocabulary(c, "BPE", required: false), merges: merges, dropout: dropout,
                            unkToken: try c.get("unk_token"), continuingSubwordPrefix: try c.get("continuing_subword_prefix"),
                            endOfWordSuffix: try c.get("end_of_word_suffix"), fuseUnk: try c.get("fuse_unk", false),
                            byteFallback: try c.get("byte_fallback", false), ignoreMerges: try c.get("ignore_merges", false)))
        case .wordPiece:
            self = .wordPiece(WordPiece(vocab: try decodeVocabulary(c, "WordPiece"), unkToken: try c.get("unk_token", "[UNK]"),
                                        continuingSubwordPrefix: try c.get("continuing_subword_prefix", "##"),
                                        maxInputCharsPerWord: try c.get("max_input_chars_per_word", 100)))
        case .wordLevel:
            self = .wordLevel(WordLevel(vocab: try decodeVocabulary(c, "WordLevel"), unkToken: try c.get("unk_token", "<unk>")))
        case .unigram:
            let entries: [UnigramEntry] = try c.require("vocab")
            let unk: Int? = try c.get("unk_id")
            self = .unigram(Unigram(vocab: entries.map { ($0.piece, $0.score) }, unkId: unk, byteFallback: try c.get("byte_fallback", false)))
        }
    }
}

/// A `{token: id}` vocabulary; ids are checked to fit in 0...Int32.max, naming the token.
func decodeVocabulary(_ c: KeyedDecodingContainer<AnyKey>, _ model: String, required: Bool = true) throws -> [String: UInt32] {
    let key = AnyKey(stringValue: "vocab")
    guard required || c.contains(key) else { return [:] }
    let raw: [String: Double]
    do {
        raw = try c.decode([String: Double].self, forKey: key)
    } catch let e as DecodingError {
        throw TokenizerError.format("tokenizer.json: \(model) model.vocab must be an object of token -> id: \(TokenizerFile.describe(e))")
    }
    var out: [String: UInt32] = [:]
    out.reserveCapacity(raw.count)
    for (token, id) in raw {
        guard id >= 0, id <= Double(Int32.max), id == id.rounded() else {
            throw TokenizerError.format("tokenizer.json: \(model) vocab id \(id) of \(token.debugDescription) is out of range")
        }
        out[token] = UInt32(id)
    }
    return out
}

/// One `[piece, score]` entry of a Unigram vocabulary.
struct UnigramEntry: Decodable {
    var piece: String
    var score: Double
    init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        piece = try c.decode(String.self)
        score = try c.decode(Double.self)
    }
}

/// A ready-to-run model.
protocol TokenizerModel: Sendable {
    /// Tokenizes one pre-tokenized piece (normalized UTF-8); token offsets are bytes of `word`.
    func tokenize(_ word: [UInt8]) throws -> [Token]
    func tokenToId(_ token: String) -> Int32?
    func idToToken(_ id: Int32) -> String?
    /// HF `get_vocab_size`: the number of entries in the model's vocabulary.
    var vocabularySize: Int { get }
}

/// Builds the id -> token table, rejecting duplicate ids (HF keeps the last silently; lmcore
/// treats it as a corrupt file because decoding would be ambiguous).
func reverseVocabulary(_ vocab: [String: UInt32], model: String) throws -> [Int32: String] {
    var r: [Int32: String] = [:]
    r.reserveCapacity(vocab.count)
    for (token, id) in vocab {
        guard id <= UInt32(Int32.max) else {
            throw TokenizerError.format("tokenizer.json: \(model) vocab id \(id) of \(token.debugDescription) is out of range")
        }
        if let other = r[Int32(id)] {
            let (a, b) = other < token ? (other, token) : (token, other)
            throw TokenizerError.format("tokenizer.json: \(model) vocab has duplicate id \(id) (\(a.debugDescription) and \(b.debugDescription))")
        }
        r[Int32(id)] = token
    }
    return r
}
