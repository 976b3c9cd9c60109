import LMInput

// Follows HF tokenizers' BPE model (models/bpe/model.rs and word.rs, tokenizers 0.23): symbols
// per character (with continuing-subword prefix / end-of-word suffix), byte fallback, unknown
// fusing, then merges applied lowest rank first (leftmost on ties) with a priority queue.


final class BPEModel: TokenizerModel, @unchecked Sendable {
    let vocab: VocabularyMap
    let idToTokenTable: TokenTable
    let merges: MergeMap
    let unkToken: String?
    let continuingSubwordPrefix: [UInt8]?
    let endOfWordSuffix: [UInt8]?
    let fuseUnk: Bool
    let byteFallback: Bool
    let ignoreMerges: Bool
    let vocabularySize: Int
    /// `<0xXX>` ids for byte fallback, when present.
    let byteIds: [Int32?]

    /// Word cache, as HF's (10,000 words shorter than 256 bytes).
    private let cache = WordCache<CachedWord>()

    struct CachedWord: Sendable {
        var ids: [Int32]
        var lengths: [Int32]
    }

    init(_ config: TokenizerModelConfig.BPE) throws {
        if let p = config.dropout, p != 0 {
            guard p >= 0 && p <= 1 else { throw InputError.format("tokenizer.json: BPE dropout \(p) must be in [0, 1]") }
            throw InputError.unsupported("tokenizer.json: BPE dropout \(p) is not supported (only null or 0)")
        }
        vocab = VocabularyMap(config.vocab.lazy.map { ($0.0, Int32($0.1)) })
        idToTokenTable = try TokenTable(vocab, model: "BPE")
        vocabularySize = vocab.count
        unkToken = config.unkToken
        continuingSubwordPrefix = config.continuingSubwordPrefix.map { Array($0.utf8) }
        endOfWordSuffix = config.endOfWordSuffix.map { Array($0.utf8) }
        fuseUnk = config.fuseUnk
        byteFallback = config.byteFallback
        ignoreMerges = config.ignoreMerges
        let prefixLength = continuingSubwordPrefix?.count ?? 0
        var map = MergeMap(capacity: config.merges.count)
        for (rank, (a, b)) in config.merges.enumerated() {
            guard let aId = vocab.get(a) else {
                throw InputError.format("tokenizer.json: BPE merge \(rank) uses \(a.debugDescription), which is not in the vocabulary")
            }
            guard let bId = vocab.get(b) else {
                throw InputError.format("tokenizer.json: BPE merge \(rank) uses \(b.debugDescription), which is not in the vocabulary")
            }
            let bBytes = Array(b.utf8)
            guard bBytes.count >= prefixLength else {
                throw InputError.format("tokenizer.json: BPE merge \(rank) right part \(b.debugDescription) is shorter than the continuing_subword_prefix")
            }
            var merged = Array(a.utf8)
            merged.append(contentsOf: bBytes[prefixLength...])
            guard let newId = vocab.get(merged) else {
                throw InputError.format("tokenizer.json: BPE merge \(rank) result \(String(decoding: merged, as: UTF8.self).debugDescription) is not in the vocabulary")
            }
            guard rank < Int(Int32.max) else { throw InputError.format("tokenizer.json: too many BPE merges") }
            map.set(aId, bId, rank: Int32(rank), newId: newId)
        }
        merges = map
        var bytes = [Int32?](repeating: nil, count: 256)
        if config.byteFallback {
            let hex = Array("0123456789ABCDEF".utf8)
            for b in 0..<256 {
                let name: [UInt8] = Array("<0x".utf8) + [hex[b >> 4], hex[b & 15]] + [UInt8(ascii: ">")]
                bytes[b] = vocab.get(name)
            }
        }
        byteIds = bytes
    }

    func tokenToId(_ token: String) -> Int32? { vocab.get(token) }

    func idToToken(_ id: Int32) -> String? { idToTokenTable[id] }

    func tokenize(_ word: [UInt8]) throws -> [Token] {
        var out = ModelOutput()
        try tokenize(word, into: &out)
        return out.tokens
    }

    func tokenize(_ word: [UInt8], into out: inout ModelOutput) throws {
        if word.isEmpty { return }
        if ignoreMerges, let id = vocab.get(word) {
            out.append(id, UTF8Scalar.string(word), 0, word.count)
            return
        }
        let cacheable = word.count < WordCache<CachedWord>.maxWordLength
        let key = cacheable ? WordCache<CachedWord>.Key(word) : nil
        let w: CachedWord
        if let key, let cached = cache.get(key) {
            w = cached
        } else {
            w = try mergeWord(word)
            if let key { cache.set(key, w) }
        }
        var offset = 0
        for (id, len) in zip(w.ids, w.lengths) {
            let end = offset + Int(len)
            out.append(id, idToToken(id) ?? "", offset, end)
            offset = end
        }
    }

    private struct Symbol {
        var c: Int32
        var prev: Int
        var next: Int
        var len: Int
    }

    private func mergeWord(_ w: [UInt8]) throws -> CachedWord {
        var symbols: [Symbol] = []
        symbols.reserveCapacity(w.count)
        func add(_ c: Int32, _ len: Int) {
            let n = symbols.count
            if n > 0 { symbols[n - 1].next = n }
            symbols.append(Symbol(c: c, prev: n - 1, next: -1, len: len))
        }
        var unk: (Int32, Int)? = nil
        var i = 0
        var piece: [UInt8] = []
        while i < w.count {
            let len = min(UTF8Scalar.length(leadByte: w[i]), w.count - i)
            let isFirst = i == 0, isLast = i + len >= w.count
            piece.removeAll(keepingCapacity: true)
            if !isFirst, let p = continuingSubwordPrefix { piece.append(contentsOf: p) }
            piece.append(contentsOf: w[i..<(i + len)])
            if isLast, let s = endOfWordSuffix { piece.append(contentsOf: s) }
            if let id = vocab.get(piece) {
                if let (uid, ulen) = unk { add(uid, ulen); unk = nil }
                add(id, len)
            } else {
                var handled = false
                if byteFallback {
                    var ids: [Int32] = []
                    for b in piece {
                        guard let id = byteIds[Int(b)] else { ids.removeAll(); break }
                        ids.append(id)
                    }
                    if ids.count == piece.count {
                        for id in ids { add(id, 1) }
                        handled = true
                    }
                }
                if !handled, let unkToken {
                    guard let unkId = vocab.get(unkToken) else {
                        throw InputError.format("tokenizer.json: BPE unk_token \(unkToken.debugDescription) is not in the vocabulary")
                    }
                    if let (uid, ulen) = unk {
                        if fuseUnk {
                            unk = (uid, ulen + len)
                        } else {
                            add(uid, ulen)
                            unk = (unkId, len)
                        }
                    } else {
                        unk = (unkId, len)
                    }
                }
            }
            i += len
        }
        if let (uid, ulen) = unk { add(uid, ulen) }
        mergeAll(&symbols)
        var ids: [Int32] = [], lengths: [Int32] = []
        ids.reserveCapacity(symbols.count)
        lengths.reserveCapacity(symbols.count)
        for s in symbols where s.len != 0 {
            ids.append(s.c)
            lengths.append(Int32(truncatingIfNeeded: s.len))
        }
        return CachedWord(ids: ids, lengths: lengths)
    }

    /// HF `Word::merge_all` without dropout: a binary heap keyed by (rank, position).
    private func mergeAll(_ symbols: inout [Symbol]) {
        guard symbols.count > 1 else { return }
        var heap = MergeHeap()
        for i in 0..<(symbols.count - 1) {
            if let m = merges.get(symbols[i].c, symbols[i + 1].c) {
                heap.push(rank: m.rank, pos: Int32(truncatingIfNeeded: i), newId: m.newId)
            }
        }
        while let top = heap.pop() {
            let pos = Int(top.pos)
            if symbols[pos].len == 0 { continue }
            let nextPos = symbols[pos].next
            if nextPos == -1 { continue }
            let right = symbols[nextPos]
            guard let m = merges.get(symbols[pos].c, right.c), m.newId == top.newId else { continue }
            symbols[pos].c = top.newId
            symbols[pos].len += right.len
            symbols[pos].next = right.next
            symbols[nextPos].len = 0
            if right.next > -1 && right.next < symbols.count { symbols[right.next].prev = pos }
            let current = symbols[pos]
            if current.prev >= 0, let m = merges.get(symbols[current.prev].c, current.c) {
                heap.push(rank: m.rank, pos: Int32(truncatingIfNeeded: current.prev), newId: m.newId)
            }
            if current.next >= 0 && current.next < symbols.count, let m = merges.get(current.c, symbols[current.next].c) {
                heap.push(rank: m.rank, pos: Int32(truncatingIfNeeded: pos), newId: m.newId)
            }
        }
    }
}

/// A min-heap of pending merges ordered by (rank, position).
struct MergeHeap {
    struct Entry { var rank: Int32; var pos: Int32; var newId: Int32 }
    private var items: [Entry] = []

    @inline(__always)
    private static func less(_ a: Entry, _ b: Entry) -> Bool {
        a.rank != b.rank ? a.rank < b.rank : a.pos < b.pos
    }

    mutating func push(rank: Int32, pos: Int32, newId: Int32) {
        items.append(Entry(rank: rank, pos: pos, newId: newId))
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) >> 1
            if MergeHeap.less(items[i], items[p]) { items.swapAt(i, p); i = p } else { break }
        }
    }

    mutating func pop() -> Entry? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            let n = items.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < n && MergeHeap.less(items[l], items[m]) { m = l }
                if r < n && MergeHeap.less(items[r], items[m]) { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return first
    }
}
