import LMInput

// Follows HF tokenizers' Unigram model (models/unigram/model.rs, tokenizers 0.23): the optimized
// Viterbi of sentencepiece's unigram_model.cc over a trie of pieces, unknown characters scored
// min_score - 10 and fused, byte fallback to <0xXX> pieces.


final class UnigramModel: TokenizerModel, Sendable {
    let pieces: [String]
    let scores: [Double]
    let pieceToId: VocabularyMap
    let trie: ByteTrie
    let minScore: Double
    let unkId: Int32?
    let byteFallback: Bool
    var vocabularySize: Int { pieces.count }
    static let unknownPenalty = 10.0
    /// Segmentations of recent words, as HF's Unigram cache.
    private let cache = WordCache<[Segment]>()

    /// A piece of the best segmentation: its byte range and, unless it is (fused) unknown, its id.
    struct Segment: Sendable {
        var start: Int32
        var end: Int32
        var id: Int32  // -1 for unknown runs
    }

    init(_ config: TokenizerModelConfig.Unigram) throws {
        pieces = config.vocab.map(\.0)
        scores = config.vocab.map(\.1)
        if let u = config.unkId {
            guard !pieces.isEmpty else { throw InputError.format("tokenizer.json: Unigram vocabulary is empty") }
            guard u >= 0 && u < pieces.count else {
                throw InputError.format("tokenizer.json: Unigram unk_id \(u) is outside the vocabulary (size \(pieces.count))")
            }
            unkId = Int32(u)
        } else {
            unkId = nil
        }
        guard pieces.count < Int(Int32.max) else { throw InputError.format("tokenizer.json: Unigram vocabulary too large") }
        var keys: [([UInt8], Int32)] = []
        keys.reserveCapacity(pieces.count)
        var minScore = Double.infinity
        for (i, (p, s)) in config.vocab.enumerated() {
            // Later duplicates overwrite earlier ones in both tables, as HF's map does.
            keys.append((Array(p.utf8), Int32(i)))
            if s < minScore { minScore = s }
        }
        pieceToId = VocabularyMap(config.vocab.enumerated().map { ($0.element.0, Int32($0.offset)) })
        trie = ByteTrie(keys: keys)
        self.minScore = minScore
        byteFallback = config.byteFallback
    }

    func tokenToId(_ token: String) -> Int32? { pieceToId.get(token) }

    func idToToken(_ id: Int32) -> String? {
        id >= 0 && Int(id) < pieces.count ? pieces[Int(id)] : nil
    }

    /// Best segmentation of `s`, unknown runs fused.
    func encode(_ s: [UInt8]) throws -> [Segment] {
        let size = s.count
        if size == 0 { return [] }
        let unkScore = minScore - UnigramModel.unknownPenalty
        var bestScore = [Double](repeating: 0, count: size + 1)
        var startsAt = [Int](repeating: -1, count: size + 1)
        var nodeId = [Int32](repeating: 0, count: size + 1)
        try s.withUnsafeBufferPointer { bytes in
            var pos = 0
            while pos < size {
                let here = bestScore[pos]
                let mblen = min(UTF8Scalar.length(leadByte: bytes[pos]), size - pos)
                var hasSingle = false
                trie.commonPrefixes(bytes, from: pos) { length, id in
                    let end = pos + length
                    let candidate = scores[Int(id)] + here
                    if startsAt[end] < 0 || candidate > bestScore[end] {
                        bestScore[end] = candidate
                        startsAt[end] = pos
                        nodeId[end] = id
                    }
                    if length == mblen { hasSingle = true }
                }
                if !hasSingle {
                    let end = pos + mblen
                    let candidate = unkScore + here
                    if startsAt[end] < 0 || candidate > bestScore[end] {
                        guard let unkId else {
                            throw InputError.invalidArgument("Unigram: encountered an unknown piece but the model has no unk_id")
                        }
                        bestScore[end] = candidate
                        startsAt[end] = pos
                        nodeId[end] = unkId
                    }
                }
                pos += mblen
            }
        }
        var out: [Segment] = []
        var end = size
        var unkEnd = -1  // end of the pending fused unknown run
        var unkStart = -1
        while end > 0 {
            let start = startsAt[end]
            guard start >= 0 && start < end else {
                throw InputError.invalidArgument("Unigram: no segmentation found")
            }
            if let unkId, nodeId[end] == unkId {
                if unkEnd < 0 { unkEnd = end }
                unkStart = start
            } else {
                if unkEnd >= 0 { out.append(Segment(start: Int32(truncatingIfNeeded: unkStart), end: Int32(truncatingIfNeeded: unkEnd), id: -1)); unkEnd = -1 }
                out.append(Segment(start: Int32(truncatingIfNeeded: start), end: Int32(truncatingIfNeeded: end), id: nodeId[end]))
            }
            end = start
        }
        if unkEnd >= 0 { out.append(Segment(start: Int32(truncatingIfNeeded: unkStart), end: Int32(truncatingIfNeeded: unkEnd), id: -1)) }
        out.reverse()
        return out
    }

    func tokenize(_ word: [UInt8]) throws -> [Token] {
        var out = ModelOutput()
        try tokenize(word, into: &out)
        return out.tokens
    }

    func tokenize(_ word: [UInt8], into out: inout ModelOutput) throws {
        let cacheable = word.count < WordCache<[Segment]>.maxWordLength
        let key = cacheable ? WordCache<[Segment]>.Key(word) : nil
        let segments: [Segment]
        if let key, let cached = cache.get(key) {
            segments = cached
        } else {
            segments = try encode(word)
            if let key { cache.set(key, segments) }
        }
        for seg in segments {
            let r = Int(seg.start)..<Int(seg.end)
            if seg.id >= 0 {
                out.append(seg.id, pieces[Int(seg.id)], r.lowerBound, r.upperBound)
                continue
            }
            // HF looks the text up again: a fused unknown run may spell a piece.
            let piece = UTF8Scalar.string(word[r])
            if let id = pieceToId.get(word[r]) {
                out.append(id, piece, r.lowerBound, r.upperBound)
                continue
            }
            if byteFallback {
                var bytesTokens: [(Int32, String)] = []
                for b in word[r] {
                    let name = "<0x" + String(b, radix: 16, uppercase: true).leftPadded(2) + ">"
                    guard let id = pieceToId.get(name) else { bytesTokens.removeAll(); break }
                    bytesTokens.append((id, name))
                }
                if bytesTokens.count == r.count {
                    for (id, name) in bytesTokens { out.append(id, name, r.lowerBound, r.upperBound) }
                    continue
                }
            }
            guard let unkId else {
                throw InputError.invalidArgument("Unigram: encountered an unknown piece but the model has no unk_id")
            }
            out.append(unkId, piece, r.lowerBound, r.upperBound)
        }
    }
}

extension String {
    func leftPadded(_ n: Int) -> String {
        count >= n ? self : String(repeating: "0", count: n - count) + self
    }
}
