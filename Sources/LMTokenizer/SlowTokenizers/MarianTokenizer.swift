import LMInput

// Follows transformers' MarianTokenizer (models/marian/tokenization_marian.py, 5.23) on top of
// PythonBackend (tokenization_python.py): added tokens split out first (slow-tokenizer Trie),
// a leading ">>xx<<" language code kept whole, the rest through source.spm (or target.spm for
// targets), pieces mapped through vocab.json (pieces missing from it become <unk>), "</s>" appended.


/// The tokenizer of Marian / OPUS-MT models: `source.spm`, `target.spm`, `vocab.json` (and
/// `target_vocab.json` with `separate_vocabs`), as transformers' `MarianTokenizer`.
///
/// `Encoding.tokens` are the tokens `tokenizer.tokenize(text)` gives (SentencePiece pieces, runs of
/// unknown characters as one piece, language codes, added tokens) plus the appended `</s>`.
/// Offsets are code-point ranges in the input, as HF tokenizers report them (transformers' Python
/// MarianTokenizer has none); the appended `</s>` gets an empty range.
/// The sacremoses punctuation normalizer transformers mentions is not applied (transformers does
/// not call it when encoding either).
package struct MarianTokenizer: TextTokenizer {
    package let configuration: Configuration
    let source: SentencePieceProcessor
    let target: SentencePieceProcessor
    let encoder: [PythonKey: Int32]
    let targetEncoder: [PythonKey: Int32]?
    /// id -> token for decoding: target_vocab.json's with separate vocabularies, else vocab.json's.
    let decoder: [Int32: String]
    let addedTokens: [Int32: AddedToken]
    let addedEncoder: [PythonKey: Int32]
    let allSpecialTokens: [String]
    let allSpecialIds: [Int32]
    let trie: SlowTokenizerTrie
    let eosId: Int32
    /// Ids given a 1 by `get_special_tokens_mask` (the special ids but unk).
    let maskedSpecialIds: Set<Int32>
    let specialTokenKeys: Set<PythonKey>
    /// For each source / target SentencePiece id, the vocabulary id of its piece (added tokens
    /// first, then vocab.json, else unk), as `convert_tokens_to_ids` would look it up.
    let sourcePieceIds: [Int32]
    let targetPieceIds: [Int32]
    /// Ids whose token (as `convert_ids_to_tokens` gives it when decoding) is a special token.
    let idsDecodingAsSpecial: Set<Int32>
    package let specialTokenIds: Set<Int32>
    /// Language codes (`>>xx<<`) of vocab.json, with a joint vocabulary.
    package let supportedLanguageCodes: [String]
    package let vocabularySize: Int

    /// Loads a Marian model folder: source.spm, target.spm, vocab.json, optional target_vocab.json
    /// and tokenizer_config.json (plus the legacy special_tokens_map.json / added_tokens.json).
    package init(directory: String) throws {
        let configuration = try Configuration.load(directory: directory)
        func path(_ name: String) -> String { joinPath(directory, name) }
        let targetVocab = configuration.separateVocabs ? path("target_vocab.json") : nil
        try self.init(sourceModel: path("source.spm"), targetModel: path("target.spm"), vocab: path("vocab.json"),
                      targetVocab: targetVocab, configuration: configuration)
    }

    /// Builds the tokenizer from explicit files.
    package init(sourceModel: String, targetModel: String, vocab: String, targetVocab: String?,
                configuration: Configuration) throws {
        self.configuration = configuration
        source = try SentencePieceProcessor(modelFile: sourceModel)
        target = try SentencePieceProcessor(modelFile: targetModel)
        let encoderPairs = try Self.loadVocab(vocab)
        encoder = Dictionary(encoderPairs, uniquingKeysWith: { _, last in last })
        let unk = configuration.namedSpecialTokens.first { $0.name == "unk_token" }?.token ?? "<unk>"
        guard encoder[PythonKey(unk)] != nil else {
            throw InputError.format("\(vocab): the unknown token '\(unk)' must be in the vocabulary")
        }
        var decoderPairs = encoderPairs
        if configuration.separateVocabs {
            guard let targetVocab else {
                throw InputError.format("\(vocab): separate_vocabs needs target_vocab.json")
            }
            decoderPairs = try Self.loadVocab(targetVocab)
            targetEncoder = Dictionary(decoderPairs, uniquingKeysWith: { _, last in last })
            supportedLanguageCodes = []
        } else {
            targetEncoder = nil
            supportedLanguageCodes = encoderPairs.map(\.0.string).filter {
                $0.utf8.starts(with: ">>".utf8) && $0.utf8.reversed().starts(with: "<<".utf8)
            }
        }
        decoder = Dictionary(decoderPairs.map { ($0.1, $0.0.string) }, uniquingKeysWith: { _, last in last })

        // PythonBackend.__init__: the saved added tokens, then every special token not yet added
        // (ids from the vocabulary, or new ids after it).
        var added: [Int32: AddedToken] = [:]
        var addedEncoder: [PythonKey: Int32] = [:]
        for (id, t) in configuration.addedTokensDecoder {
            added[id] = t
            addedEncoder[PythonKey(t.content)] = id
        }
        var specials: [String] = []
        for t in configuration.namedSpecialTokens.map(\.token) + configuration.extraSpecialTokens
        where !specials.contains(where: { PythonKey($0) == PythonKey(t) }) {
            specials.append(t)
        }
        var vocabulary = encoder
        for (key, id) in addedEncoder { vocabulary[key] = id }
        var nextId = Int32(vocabulary.count)
        for t in specials where !t.isEmpty && addedEncoder[PythonKey(t)] == nil {
            let id: Int32
            if let existing = vocabulary[PythonKey(t)] {
                id = existing
            } else {
                id = nextId
                nextId += 1
                vocabulary[PythonKey(t)] = id
            }
            added[id] = AddedToken(content: t, special: true)
            addedEncoder[PythonKey(t)] = id
        }
        self.addedTokens = added
        self.addedEncoder = addedEncoder
        self.allSpecialTokens = specials
        self.vocabularySize = vocabulary.count
        self.trie = SlowTokenizerTrie(added.keys.sorted().compactMap { added[$0]?.content })
        let encoderCopy = encoder
        self.allSpecialIds = try specials.map { t in
            guard let id = addedEncoder[PythonKey(t)] ?? encoderCopy[PythonKey(t)] else {
                throw InputError.format("\(vocab): special token '\(t)' has no id")
            }
            return id
        }
        let eos = configuration.namedSpecialTokens.first { $0.name == "eos_token" }?.token ?? "</s>"
        guard let eosId = addedEncoder[PythonKey(eos)] else {
            throw InputError.format("\(vocab): the end-of-sequence token '\(eos)' has no id")
        }
        self.eosId = eosId
        let unkAdded = addedEncoder[PythonKey(unk)]
        maskedSpecialIds = Set(allSpecialIds).subtracting(unkAdded.map { [$0] } ?? [])
        specialTokenKeys = Set(specials.map(PythonKey.init))
        func pieceIds(_ spm: SentencePieceProcessor, _ vocab: [PythonKey: Int32]) -> [Int32] {
            let unkId = vocab[PythonKey(unk)] ?? -1
            return (0..<spm.pieceCount).map { i in
                let piece = PythonKey(spm.idToPiece(Int32(i)) ?? "")
                return addedEncoder[piece] ?? vocab[piece] ?? unkId
            }
        }
        sourcePieceIds = pieceIds(source, encoder)
        targetPieceIds = pieceIds(target, targetEncoder ?? encoder)
        specialTokenIds = Set(allSpecialIds)
        // Decoding looks ids up in the added tokens, then the decoder map, then the decoding
        // model's pieces (source.spm with a joint vocabulary).
        let decodingModel = configuration.separateVocabs ? target : source
        var special = Set<Int32>()
        for (id, t) in added where specialTokenKeys.contains(PythonKey(t.content)) { special.insert(id) }
        for (id, t) in decoder where added[id] == nil && specialTokenKeys.contains(PythonKey(t)) { special.insert(id) }
        for i in 0..<decodingModel.pieceCount {
            let id = Int32(i)
            if added[id] == nil, decoder[id] == nil, let p = decodingModel.idToPiece(id),
               specialTokenKeys.contains(PythonKey(p)) {
                special.insert(id)
            }
        }
        idsDecodingAsSpecial = special
    }

    /// vocab.json: an object of token -> id, in file order.
    static func loadVocab(_ path: String) throws -> [(PythonKey, Int32)] {
        guard case .object(let members) = try JSONReader.parse(contentsOf: path, options: .python) else {
            throw InputError.format("\(path): expected a JSON object of token -> id")
        }
        return try members.map { key, value in
            guard let id = value.integer, let id32 = Int32(exactly: id), id32 >= 0 else {
                throw InputError.format("\(path): id of '\(key)' is not a non-negative 32-bit integer")
            }
            return (PythonKey(key), id32)
        }
    }

    var unkToken: String { configuration.namedSpecialTokens.first { $0.name == "unk_token" }?.token ?? "<unk>" }
}
