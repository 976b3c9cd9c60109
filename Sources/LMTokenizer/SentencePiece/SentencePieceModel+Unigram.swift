// Follows sentencepiece's unigram_model.cc `Model::EncodeOptimized` (the default encoder since
// 0.1.9x): Viterbi over UTF-8 positions, keeping only the best path ending at each position, so
// time is O(n * longest piece) and memory O(n).

extension SentencePieceModel {
    /// The penalty below the lowest piece score given to an unknown character (`kUnkPenalty`).
    static let unknownPenalty: Float = 10.0

    private struct BestPathNode {
        var id: Int32 = -1
        var score: Float = 0
        var startsAt: Int = -1
    }

    func encodeUnigram(_ normalized: UnsafeBufferPointer<UInt8>) -> [(range: Range<Int>, id: Int32)] {
        let size = normalized.count
        let unkScore = minScore - Self.unknownPenalty
        var best = [BestPathNode](repeating: BestPathNode(), count: size + 1)
        // The mutable buffer is taken outermost so no closure captures a mutable var (which would
        // cost a dynamic exclusivity check per access).
        best.withUnsafeMutableBufferPointer { best in
            trie.withView { trie in
                types.withUnsafeBufferPointer { types in
                    scores.withUnsafeBufferPointer { scores in
                        var startsAt = 0
                        while startsAt < size {
                            let scoreTillHere = best[startsAt].score
                            var hasSingleNode = false
                            let mblen = min(SentencePieceUTF8.oneCharLength(normalized[startsAt]), size - startsAt)
                            var node = SentencePieceTrie.root
                            var keyPos = startsAt
                            while keyPos < size {
                                guard let next = trie.child(node, normalized[keyPos]) else { break }
                                node = next
                                keyPos += 1
                                guard let id = trie.valueAt(node) else { continue }
                                let type = types[Int(id)]
                                if type == .unused { continue }
                                let length = keyPos - startsAt
                                // sentencepiece computes this in double (the user-defined bonus is a
                                // double expression) and stores the float; so do we.
                                let score: Double = type == .userDefined
                                    ? Double(Float(length) * maxScore) - 0.1
                                    : Double(scores[Int(id)])
                                let candidate = score + Double(scoreTillHere)
                                if best[keyPos].startsAt == -1 || candidate > Double(best[keyPos].score) {
                                    best[keyPos] = BestPathNode(id: id, score: Float(candidate), startsAt: startsAt)
                                }
                                if !hasSingleNode && length == mblen { hasSingleNode = true }
                            }
                            if !hasSingleNode {
                                let target = startsAt + mblen
                                let candidate = unkScore + scoreTillHere
                                if best[target].startsAt == -1 || candidate > best[target].score {
                                    best[target] = BestPathNode(id: unkId, score: candidate, startsAt: startsAt)
                                }
                            }
                            startsAt += mblen
                        }
                    }
                }
            }
        }
        var result: [(range: Range<Int>, id: Int32)] = []
        var endsAt = size
        while endsAt > 0 {
            let node = best[endsAt]
            let start = node.startsAt
            // Every character boundary is reachable (an unknown node covers each character), so a
            // missing link cannot happen; stop rather than loop if it ever did.
            guard start >= 0, start < endsAt else { break }
            result.append((start..<endsAt, node.id))
            endsAt = start
        }
        result.reverse()
        return result
    }
}
