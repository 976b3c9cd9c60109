// Follows HF tokenizers' WordPiece and WordLevel models (models/wordpiece, models/wordlevel,
// tokenizers 0.23): greedy longest-match-first with a continuing-subword prefix; whole-word lookup.

struct WordPieceModel: TokenizerModel {
    let vocab: VocabularyMap
    let idToTokenTable: TokenTable
    let unkToken: String
    let prefix: [UInt8]
    let maxInputCharsPerWord: Int
    let vocabularySize: Int

    init(_ config: ModelConfig.WordPiece) throws {
        vocab = VocabularyMap(config.vocab.lazy.map { ($0.0, Int32($0.1)) })
        idToTokenTable = try TokenTable(vocab, model: "WordPiece")
        vocabularySize = vocab.count
        unkToken = config.unkToken
        prefix = Array(config.continuingSubwordPrefix.utf8)
        maxInputCharsPerWord = config.maxInputCharsPerWord
    }

    func tokenToId(_ token: String) -> Int32? { vocab.get(token) }
    func idToToken(_ id: Int32) -> String? { idToTokenTable[id] }

    private func unknown(_ length: Int) throws -> [Token] {
        guard let id = vocab.get(unkToken) else {
            throw TokenizerError.format("tokenizer.json: WordPiece unk_token \(unkToken.debugDescription) is not in the vocabulary")
        }
        return [Token(id: id, value: unkToken, offsets: 0..<length)]
    }

    func tokenize(_ word: [UInt8]) throws -> [Token] {
        var chars = 0
        for b in word where b & 0xC0 != 0x80 { chars += 1 }
        if chars > maxInputCharsPerWord { return try unknown(word.count) }
        var tokens: [Token] = []
        var start = 0
        var candidate: [UInt8] = []
        while start < word.count {
            var end = word.count
            var found: Token? = nil
            while start < end {
                candidate.removeAll(keepingCapacity: true)
                if start > 0 { candidate.append(contentsOf: prefix) }
                candidate.append(contentsOf: word[start..<end])
                if let id = vocab.get(candidate) {
                    found = Token(id: id, value: UTF8Scalar.string(candidate), offsets: start..<end)
                    break
                }
                // Drop the last character.
                var e = end - 1
                while e > start && word[e] & 0xC0 == 0x80 { e -= 1 }
                end = e
            }
            guard let token = found else { return try unknown(word.count) }
            tokens.append(token)
            start = end
        }
        return tokens
    }
}

struct WordLevelModel: TokenizerModel {
    let vocab: VocabularyMap
    let idToTokenTable: TokenTable
    let unkToken: String
    let vocabularySize: Int

    init(_ config: ModelConfig.WordLevel) throws {
        vocab = VocabularyMap(config.vocab.lazy.map { ($0.0, Int32($0.1)) })
        idToTokenTable = try TokenTable(vocab, model: "WordLevel")
        vocabularySize = vocab.count
        unkToken = config.unkToken
    }

    func tokenToId(_ token: String) -> Int32? { vocab.get(token) }
    func idToToken(_ id: Int32) -> String? { idToTokenTable[id] }

    func tokenize(_ word: [UInt8]) throws -> [Token] {
        if let id = vocab.get(word) {
            return [Token(id: id, value: UTF8Scalar.string(word), offsets: 0..<word.count)]
        }
        guard let unk = vocab.get(unkToken) else {
            throw TokenizerError.invalidArgument("WordLevel: \(UTF8Scalar.string(word).debugDescription) is not in the vocabulary and unk_token \(unkToken.debugDescription) is missing")
        }
        return [Token(id: unk, value: unkToken, offsets: 0..<word.count)]
    }
}
