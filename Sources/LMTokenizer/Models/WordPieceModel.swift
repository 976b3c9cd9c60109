import LMInput

// Follows HF tokenizers' WordPiece and WordLevel models (models/wordpiece, models/wordlevel,
// tokenizers 0.23): greedy longest-match-first with a continuing-subword prefix; whole-word lookup.


struct WordPieceModel: TokenizerModel {
    let vocab: VocabularyMap
    let idToTokenTable: TokenTable
    let unkToken: String
    let prefix: [UInt8]
    let maxInputCharsPerWord: Int
    let vocabularySize: Int
    /// All entries, and the entries that start with the prefix (keyed without it): HF's
    /// "longest substring in the vocabulary, shrinking by one character" is the longest trie
    /// match, since vocabulary entries are whole UTF-8 characters.
    let wordTrie: ByteTrie
    let continuationTrie: ByteTrie

    init(_ config: TokenizerModelConfig.WordPiece) throws {
        vocab = VocabularyMap(config.vocab.lazy.map { ($0.0, Int32($0.1)) })
        idToTokenTable = try TokenTable(vocab, model: "WordPiece")
        vocabularySize = vocab.count
        unkToken = config.unkToken
        let prefix = Array(config.continuingSubwordPrefix.utf8)
        self.prefix = prefix
        maxInputCharsPerWord = config.maxInputCharsPerWord
        var words: [([UInt8], Int32)] = [], continuations: [([UInt8], Int32)] = []
        vocab.forEach { bytes, id in
            words.append((Array(bytes), id))
            if bytes.starts(with: prefix) { continuations.append((Array(bytes.dropFirst(prefix.count)), id)) }
        }
        wordTrie = ByteTrie(keys: words)
        continuationTrie = ByteTrie(keys: continuations)
    }

    func tokenize(_ word: [UInt8], into out: inout ModelOutput) throws {
        var chars = 0
        for b in word where b & 0xC0 != 0x80 { chars += 1 }
        if chars > maxInputCharsPerWord {
            for t in try unknown(word.count) { out.append(t.id, t.value, 0, word.count) }
            return
        }
        let mark = out.ids.count
        var start = 0
        let ok = word.withUnsafeBufferPointer { bytes -> Bool in
            while start < bytes.count {
                var best: (Int, Int32)? = nil
                (start == 0 ? wordTrie : continuationTrie).commonPrefixes(bytes, from: start) { len, id in
                    // An empty continuation key (the bare prefix) never matches: HF needs start < end.
                    if len > 0 { best = (len, id) }
                }
                guard let (len, id) = best else { return false }
                out.append(id, idToTokenTable[id] ?? "", start, start + len)
                start += len
            }
            return true
        }
        if !ok {
            out.ids.removeSubrange(mark...); out.values.removeSubrange(mark...)
            out.starts.removeSubrange(mark...); out.ends.removeSubrange(mark...)
            for t in try unknown(word.count) { out.append(t.id, t.value, 0, word.count) }
        }
    }

    func tokenToId(_ token: String) -> Int32? { vocab.get(token) }
    func idToToken(_ id: Int32) -> String? { idToTokenTable[id] }

    private func unknown(_ length: Int) throws -> [Token] {
        guard let id = vocab.get(unkToken) else {
            throw InputError.format("tokenizer.json: WordPiece unk_token \(unkToken.debugDescription) is not in the vocabulary")
        }
        return [Token(id: id, value: unkToken, offsets: 0..<length)]
    }

    func tokenize(_ word: [UInt8]) throws -> [Token] {
        var out = ModelOutput()
        try tokenize(word, into: &out)
        return out.tokens
    }
}

struct WordLevelModel: TokenizerModel {
    let vocab: VocabularyMap
    let idToTokenTable: TokenTable
    let unkToken: String
    let vocabularySize: Int

    init(_ config: TokenizerModelConfig.WordLevel) throws {
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
            throw InputError.invalidArgument("WordLevel: \(UTF8Scalar.string(word).debugDescription) is not in the vocabulary and unk_token \(unkToken.debugDescription) is missing")
        }
        return [Token(id: unk, value: unkToken, offsets: 0..<word.count)]
    }
}
