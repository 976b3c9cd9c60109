import LMInput

// The "model" section of tokenizer.json (models/*/serialization.rs, tokenizers 0.23), including
// legacy files without a "type" (recognised by shape, in HF's untagged order).


/// The "model" section of tokenizer.json.
package enum TokenizerModelConfig: Decodable, Sendable {
    package enum Kind: String, Sendable { case bpe = "BPE", wordPiece = "WordPiece", wordLevel = "WordLevel", unigram = "Unigram" }

    package struct BPE: Sendable {
        package var vocab: [(String, UInt32)]
        package var merges: [(String, String)]
        package var dropout: Double?
        package var unkToken: String?
        package var continuingSubwordPrefix: String?
        package var endOfWordSuffix: String?
        package var fuseUnk: Bool
        package var byteFallback: Bool
        package var ignoreMerges: Bool
    }

    package struct WordPiece: Sendable {
        package var vocab: [(String, UInt32)]
        package var unkToken: String
        package var continuingSubwordPrefix: String
        package var maxInputCharsPerWord: Int
    }

    package struct WordLevel: Sendable {
        package var vocab: [(String, UInt32)]
        package var unkToken: String
    }

    package struct Unigram: Sendable {
        package var vocab: [(String, Double)]
        package var unkId: Int?
        package var byteFallback: Bool
    }

    case bpe(BPE)
    case wordPiece(WordPiece)
    case wordLevel(WordLevel)
    case unigram(Unigram)

    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        let bulk = ModelBulkData(decoder)
        let kind: Kind
        if c.contains(AnyKey(stringValue: "type")) {
            kind = try decodeKind(decoder, "model")
        } else if c.contains(AnyKey(stringValue: "merges")) {
            kind = .bpe
        } else if bulk?.vocab != nil ? bulk?.vocabIsArray == true
                    : (try? c.decode([UnigramEntry].self, forKey: AnyKey(stringValue: "vocab"))) != nil {
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
            if let fast = bulk?.merges, !(bulk?.mergesAreStrings ?? false) {
                merges = fast
            } else if let fast = bulk?.merges {
                var rank = 0
                for (line, _) in fast where !line.hasPrefix("#version") {
                    let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                    guard parts.count == 2 else {
                        throw InputError.format("tokenizer.json: model.merges line \(rank + 1) \(line.debugDescription) is not \"a b\"")
                    }
                    merges.append((String(parts[0]), String(parts[1])))
                    rank += 1
                }
            } else if let pairs = try? c.decode([[String]].self, forKey: mergesKey) {
                for (i, p) in pairs.enumerated() {
                    guard p.count == 2 else {
                        throw InputError.format("tokenizer.json: model.merges[\(i)] must be a pair of strings")
                    }
                    merges.append((p[0], p[1]))
                }
            } else if let lines: [String] = try c.get("merges") {
                var rank = 0
                for line in lines where !line.hasPrefix("#version") {
                    let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                    guard parts.count == 2 else {
                        throw InputError.format("tokenizer.json: model.merges line \(rank + 1) \(line.debugDescription) is not \"a b\"")
                    }
                    merges.append((String(parts[0]), String(parts[1])))
                    rank += 1
                }
            }
            self = .bpe(BPE(vocab: try decodeVocabulary(c, "BPE", bulk, required: false), merges: merges, dropout: dropout,
                            unkToken: try c.get("unk_token"), continuingSubwordPrefix: try c.get("continuing_subword_prefix"),
                            endOfWordSuffix: try c.get("end_of_word_suffix"), fuseUnk: try c.get("fuse_unk", false),
                            byteFallback: try c.get("byte_fallback", false), ignoreMerges: try c.get("ignore_merges", false)))
        case .wordPiece:
            self = .wordPiece(WordPiece(vocab: try decodeVocabulary(c, "WordPiece", bulk), unkToken: try c.get("unk_token", "[UNK]"),
                                        continuingSubwordPrefix: try c.get("continuing_subword_prefix", "##"),
                                        maxInputCharsPerWord: try c.get("max_input_chars_per_word", 100)))
        case .wordLevel:
            self = .wordLevel(WordLevel(vocab: try decodeVocabulary(c, "WordLevel", bulk), unkToken: try c.get("unk_token", "<unk>")))
        case .unigram:
            let vocab: [(String, Double)]
            if let fast = bulk?.vocab {
                guard bulk?.vocabIsArray == true else {
                    throw InputError.format("tokenizer.json: Unigram model.vocab must be an array of [piece, score]")
                }
                vocab = fast
            } else {
                let entries: [UnigramEntry] = try c.require("vocab")
                vocab = entries.map { ($0.piece, $0.score) }
            }
            let unk: Int? = try c.get("unk_id")
            self = .unigram(Unigram(vocab: vocab, unkId: unk, byteFallback: try c.get("byte_fallback", false)))
        }
    }
}

/// A `{token: id}` vocabulary; ids are checked to fit in 0...Int32.max, naming the token.
func decodeVocabulary(_ c: KeyedDecodingContainer<AnyKey>, _ model: String, _ bulk: ModelBulkData?,
                      required: Bool = true) throws -> [(String, UInt32)] {
    let key = AnyKey(stringValue: "vocab")
    let raw: [(String, Double)]
    if let fast = bulk?.vocab {
        guard bulk?.vocabIsArray == false else {
            throw InputError.format("tokenizer.json: \(model) model.vocab must be an object of token -> id")
        }
        raw = fast
    } else {
        guard required || c.contains(key) else { return [] }
        do {
            raw = try c.decode([String: Double].self, forKey: key).map { ($0.key, $0.value) }
        } catch let e as DecodingError {
            throw InputError.format("tokenizer.json: \(model) model.vocab must be an object of token -> id: \(TokenizerFile.describe(e))")
        }
    }
    var out: [(String, UInt32)] = []
    out.reserveCapacity(raw.count)
    for (token, id) in raw {
        guard id >= 0, id <= Double(Int32.max), id == id.rounded() else {
            throw InputError.format("tokenizer.json: \(model) vocab id \(id) of \(token.debugDescription) is out of range")
        }
        out.append((token, UInt32(id)))
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

/// Model tokens appended for a whole sequence (one buffer instead of arrays per word).
struct ModelOutput {
    var ids: [Int32] = []
    var values: [String] = []
    /// Byte offsets inside the word the token came from.
    var starts: [Int32] = []
    var ends: [Int32] = []

    var tokens: [Token] {
        ids.indices.map { Token(id: ids[$0], value: values[$0], offsets: Int(starts[$0])..<Int(max(starts[$0], ends[$0]))) }
    }

    @inline(__always)
    mutating func append(_ id: Int32, _ value: String, _ start: Int, _ end: Int) {
        ids.append(id)
        values.append(value)
        starts.append(Int32(truncatingIfNeeded: start))
        ends.append(Int32(truncatingIfNeeded: end))
    }
}

/// A ready-to-run model.
protocol TokenizerModel: Sendable {
    /// Tokenizes one pre-tokenized piece (normalized UTF-8); token offsets are bytes of `word`.
    func tokenize(_ word: [UInt8]) throws -> [Token]
    /// The same, appending to `out`.
    func tokenize(_ word: [UInt8], into out: inout ModelOutput) throws
    func tokenToId(_ token: String) -> Int32?
    func idToToken(_ id: Int32) -> String?
    /// HF `get_vocab_size`: the number of entries in the model's vocabulary.
    var vocabularySize: Int { get }
}

/// id -> token, dense when ids are (almost) contiguous.
struct TokenTable: Sendable {
    private var dense: [String?] = []
    private var sparse: [Int32: String] = [:]

    /// Builds the table from a vocabulary map (one entry per distinct token, last id kept as in
    /// HF), rejecting duplicate ids: HF keeps one silently; lmcore treats it as a corrupt file
    /// because decoding would be ambiguous.
    init(_ map: VocabularyMap, model: String) throws {
        var maxId: Int32 = -1
        map.forEach { _, id in maxId = max(maxId, id) }
        let useDense = Int(maxId) < 2 * map.count + 1024
        if useDense { dense = [String?](repeating: nil, count: Int(maxId) + 1) }
        var failure: InputError? = nil
        map.forEach { bytes, id in
            guard failure == nil else { return }
            let token = String(decoding: bytes, as: UTF8.self)
            let existing = useDense ? dense[Int(id)] : sparse[id]
            if let other = existing {
                let (a, b) = other.utf8.lexicographicallyPrecedes(token.utf8) ? (other, token) : (token, other)
                failure = .format("tokenizer.json: \(model) vocab has duplicate id \(id) (\(a.debugDescription) and \(b.debugDescription))")
                return
            }
            if useDense { dense[Int(id)] = token } else { sparse[id] = token }
        }
        if let failure { throw failure }
    }

    subscript(id: Int32) -> String? {
        if id >= 0 && Int(id) < dense.count { return dense[Int(id)] }
        return sparse[id]
    }
}

extension TokenizerModel {
    func tokenize(_ word: [UInt8], into out: inout ModelOutput) throws {
        for t in try tokenize(word) { out.append(t.id, t.value, t.offsets.lowerBound, t.offsets.upperBound) }
    }
}
