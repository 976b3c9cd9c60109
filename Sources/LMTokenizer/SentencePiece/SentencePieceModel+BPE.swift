// Follows sentencepiece's bpe_model.cc `Model::SampleEncode` with alpha = 0 (plain `Encode`):
// characters (user-defined symbols frozen whole) merged greedily by the score of the merged piece,
// ties to the leftmost pair, with UNUSED pieces re-split afterwards.

extension SentencePieceModel {
    private struct Symbol {
        var prev: Int
        var next: Int
        var freeze: Bool
        /// Byte range in the normalized text; empty once merged into its left neighbour.
        var range: Range<Int>
    }

    private struct SymbolPair {
        var left: Int
        var right: Int
        var score: Float
        var size: Int

        /// sentencepiece's agenda order: higher score first, then the leftmost pair.
        @inline(__always)
        func outranks(_ other: SymbolPair) -> Bool {
            score > other.score || (score == other.score && left < other.left)
        }
    }

    /// A binary max-heap of pairs under `SymbolPair.outranks`.
    private struct Agenda {
        var heap: [SymbolPair] = []

        mutating func push(_ p: SymbolPair) {
            heap.append(p)
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard heap[i].outranks(heap[parent]) else { break }
                heap.swapAt(i, parent)
                i = parent
            }
        }

        mutating func pop() -> SymbolPair? {
            guard let top = heap.first else { return nil }
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var m = i
                    if l < heap.count, heap[l].outranks(heap[m]) { m = l }
                    if r < heap.count, heap[r].outranks(heap[m]) { m = r }
                    if m == i { break }
                    heap.swapAt(i, m)
                    i = m
                }
            }
            return top
        }
    }

    func encodeBPE(_ normalized: UnsafeBufferPointer<UInt8>) -> [(range: Range<Int>, id: Int32)] {
        trie.withView { encodeBPE(normalized, vocab: $0) }
    }

    private func encodeBPE(_ normalized: UnsafeBufferPointer<UInt8>, vocab: SentencePieceTrie.View)
        -> [(range: Range<Int>, id: Int32)]
    {
        var symbols: [Symbol] = []
        symbols.reserveCapacity(normalized.count)
        var i = 0
        while i < normalized.count {
            let (n, found) = prefixMatch(normalized, i)
            let index = symbols.count
            symbols.append(Symbol(prev: index - 1, next: i + n < normalized.count ? index + 1 : -1,
                                  freeze: found, range: i..<(i + n)))
            i += n
        }
        guard !symbols.isEmpty else { return [] }

        var agenda = Agenda()
        // Merged UNUSED pieces and the two parts they came from, for re-splitting (last one wins,
        // as in sentencepiece's `rev_merge` map).
        var reverseMerges: [[UInt8]: (Range<Int>, Range<Int>)] = [:]

        func maybeAddPair(_ left: Int, _ right: Int) {
            guard left >= 0, right >= 0, !symbols[left].freeze, !symbols[right].freeze else { return }
            let range = symbols[left].range.lowerBound..<symbols[right].range.upperBound
            guard let id = vocab.exactMatch(UnsafeBufferPointer(rebasing: normalized[range])) else { return }
            agenda.push(SymbolPair(left: left, right: right, score: scores[Int(id)], size: range.count))
            if isUnused(id) {
                reverseMerges[Array(normalized[range])] = (symbols[left].range, symbols[right].range)
            }
        }

        for k in 1..<symbols.count { maybeAddPair(k - 1, k) }

        while let top = agenda.pop() {
            let l = symbols[top.left].range, r = symbols[top.right].range
            if l.isEmpty || r.isEmpty || l.count + r.count != top.size { continue }
            symbols[top.left].range = l.lowerBound..<r.upperBound
            symbols[top.left].next = symbols[top.right].next
            if symbols[top.right].next >= 0 { symbols[symbols[top.right].next].prev = top.left }
            symbols[top.right].range = r.lowerBound..<r.lowerBound
            maybeAddPair(symbols[top.left].prev, top.left)
            maybeAddPair(top.left, symbols[top.left].next)
        }

        var output: [(range: Range<Int>, id: Int32)] = []
        var pending: [Range<Int>] = []
        var index = 0
        while index >= 0 && index < symbols.count {
            pending.append(symbols[index].range)
            // Resegment with an explicit stack (depth is bounded by the piece length).
            while let w = pending.popLast() {
                let id = pieceToId(UnsafeBufferPointer(rebasing: normalized[w]))
                if !isUnused(id) {
                    output.append((w, id))
                    continue
                }
                guard let (a, b) = reverseMerges[Array(normalized[w])] else {
                    output.append((w, id))
                    continue
                }
                // The parts are stored as ranges where they were first seen; re-base them onto w.
                let left = w.lowerBound..<(w.lowerBound + a.count)
                let right = left.upperBound..<(left.upperBound + b.count)
                pending.append(right)
                pending.append(left)
            }
            index = symbols[index].next
        }
        return output
    }
}
