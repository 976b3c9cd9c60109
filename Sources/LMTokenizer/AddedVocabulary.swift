import LMInput

// Follows HF tokenizers' AddedVocabulary (tokenizer/added_vocabulary.rs, tokenizers 0.23): added
// tokens are found with a leftmost-longest trie search (HF uses a daachorse Aho-Corasick
// automaton), first the non-normalized ones in the raw text, then the normalized ones in each
// normalized piece. No regex: cost is linear in the text whatever the number of added tokens.


/// One added token, as in tokenizer.json's "added_tokens".
package struct AddedToken: Sendable, Equatable {
    package var content: String
    package var id: Int32
    package var special: Bool
    package var normalized: Bool
    package var lstrip: Bool
    package var rstrip: Bool
    package var singleWord: Bool
}

struct AddedVocabulary: Sendable {
    /// content bytes -> id
    private(set) var contentToId: [[UInt8]: Int32] = [:]
    private(set) var tokensById: [Int32: AddedToken] = [:]
    /// Normalized contents that differ from the content (HF `normalized_cache`).
    private var normalizedCache: [Int32: String] = [:]
    private(set) var specialContents: Set<[UInt8]> = []
    private var rawTrie: ByteTrie? = nil
    private var normalizedTrie: ByteTrie? = nil

    var isEmpty: Bool { contentToId.isEmpty }
    var count: Int { contentToId.count }

    init() {}

    /// Adds tokens in order, assigning ids as HF's `add_tokens` does (an added token's or the
    /// model's id if the content has one, else the next free id after the vocabulary and the
    /// added tokens); the ids written in tokenizer.json are not used, as in HF.
    mutating func add(_ configs: [AddedTokenConfig], model: TokenizerModel, normalizer: Normalizer?) throws {
        let vocabSize = Int32(clamping: model.vocabularySize)
        var nextId = vocabSize
        if let maxId = tokensById.keys.max() {
            nextId = (maxId >= vocabSize || vocabSize == 0) ? maxId &+ 1 : vocabSize
        }
        for t in configs {
            if t.content.isEmpty { continue }
            let key = Array(t.content.utf8)
            let token = AddedToken(content: t.content, id: 0, special: t.special, normalized: t.normalized,
                                   lstrip: t.lstrip, rstrip: t.rstrip, singleWord: t.singleWord)
            if let id = contentToId[key], var existing = tokensById[id] {
                existing.id = id
                var same = token
                same.id = id
                if existing == same { continue }
            }
            let id: Int32
            if let existing = contentToId[key] {
                id = existing
            } else if let modelId = model.tokenToId(t.content) {
                id = modelId
            } else {
                id = nextId
                guard nextId < Int32.max else { throw InputError.format("tokenizer.json: too many added tokens") }
                nextId += 1
            }
            var stored = token
            stored.id = id
            if t.normalized, let normalizer {
                var n = NormalizedString(key)
                try normalizer.normalize(&n)
                let normed = n.string
                if n.normalized != key { normalizedCache[id] = normed }
            }
            contentToId[key] = id
            if t.special { specialContents.insert(key) }
            tokensById[id] = stored
        }
        var raw: [([UInt8], Int32)] = [], normalized: [([UInt8], Int32)] = []
        for (id, t) in tokensById {
            if t.normalized {
                normalized.append((Array((normalizedCache[id] ?? t.content).utf8), id))
            } else {
                raw.append((Array(t.content.utf8), id))
            }
        }
        rawTrie = raw.isEmpty ? nil : ByteTrie(keys: raw)
        normalizedTrie = normalized.isEmpty ? nil : ByteTrie(keys: normalized)
    }

    func id(of content: String) -> Int32? { contentToId[Array(content.utf8)] }

    /// HF `simple_id_to_token`: the normalized form for normalized tokens.
    func token(for id: Int32) -> String? {
        guard let t = tokensById[id] else { return nil }
        return normalizedCache[id] ?? t.content
    }

    func isSpecial(_ token: String) -> Bool { specialContents.contains(Array(token.utf8)) }

    /// Ids of tokens marked special.
    var specialIds: Set<Int32> { Set(tokensById.values.filter(\.special).map(\.id)) }

    /// HF `find_matches`: (id or nil, byte range) pieces covering `s`.
    private func findMatches(_ s: [UInt8], _ trie: ByteTrie?) -> [(Int32?, Range<Int>)] {
        if s.isEmpty { return [(nil, 0..<0)] }
        guard let trie else { return [(nil, 0..<s.count)] }
        let data = UnicodeData.shared
        var out: [(Int32?, Range<Int>)] = []
        var startOffset = 0
        s.withUnsafeBufferPointer { bytes in
            var i = 0
            while i < bytes.count {
                var best: (Int, Int32)? = nil
                trie.commonPrefixes(bytes, from: i) { len, id in best = (len, id) }
                guard let (len, id) = best else { i += 1; continue }
                var start = i, stop = i + len
                i = stop
                guard let token = tokensById[id] else { continue }
                if token.singleWord {
                    let previousIsWord = AddedVocabulary.lastScalar(bytes, before: start).map { data.has($0, .word) } ?? false
                    let startSpace = start == 0 || !previousIsWord
                    let stopSpace = stop == bytes.count || !data.has(UTF8Scalar.decode(bytes, at: stop).0, .word)
                    if !startSpace || !stopSpace { continue }
                }
                if token.lstrip {
                    var newStart = start
                    while newStart > 0, let c = AddedVocabulary.lastScalar(bytes, before: newStart), data.has(c, .whiteSpace) {
                        newStart -= UTF8Scalar.width(c)
                    }
                    start = max(newStart, startOffset)
                }
                if token.rstrip {
                    while stop < bytes.count {
                        let (c, n) = UTF8Scalar.decode(bytes, at: stop)
                        guard data.has(c, .whiteSpace) else { break }
                        stop += n
                    }
                }
                if startOffset < start { out.append((nil, startOffset..<start)) }
                out.append((id, start..<stop))
                startOffset = stop
            }
        }
        if startOffset != s.count { out.append((nil, startOffset..<s.count)) }
        return out
    }

    private static func lastScalar(_ bytes: UnsafeBufferPointer<UInt8>, before end: Int) -> UInt32? {
        guard end > 0 else { return nil }
        var b = end - 1
        while b > 0 && bytes[b] & 0xC0 == 0x80 { b -= 1 }
        return UTF8Scalar.decode(bytes, at: b).0
    }

    private func split(_ n: NormalizedString, _ trie: ByteTrie?) throws -> [PreTokenizedString.Split] {
        try findMatches(n.normalized, trie).map { id, range in
            guard let piece = n.slice(normalized: range) else {
                throw InputError.invalidArgument("added tokens: split off character boundaries")
            }
            if let id {
                return .init(normalized: piece, tokens: [Token(id: id, value: piece.string, offsets: 0..<piece.count)])
            }
            return .init(normalized: piece, tokens: nil)
        }
    }

    /// HF `extract_and_normalize`.
    func extractAndNormalize(_ text: [UInt8], normalizer: Normalizer?) throws -> PreTokenizedString {
        var p = PreTokenizedString(NormalizedString(text))
        try p.split { _, n in try split(n, rawTrie) }
        try p.split { _, n in
            var n = n
            // HF ignores a normalizer error here.
            try? normalizer?.normalize(&n)
            return try split(n, normalizedTrie)
        }
        return p
    }
}
