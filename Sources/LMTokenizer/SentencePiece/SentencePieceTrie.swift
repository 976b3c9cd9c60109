// A byte-wise double-array trie, the structure sentencepiece builds with darts-clone for its
// vocabulary and user-defined symbols (unigram_model.cc BuildTrie, normalizer.cc PrefixMatcher).
// Our own layout: a transition from node `s` on byte `c` goes to `base[s] + c` when
// `check[base[s] + c] == s`; a node's key value (a piece id) lives in `value`.

/// An immutable map from byte strings to piece ids with O(1) steps per byte, for prefix walks.
struct SentencePieceTrie: Sendable {
    private var base: [Int32]
    private var check: [Int32]
    private var value: [Int32]

    /// The root node.
    static let root = 0

    /// Builds the trie. Duplicate keys keep the first value; empty keys are ignored.
    init(keys: [(bytes: [UInt8], value: Int32)]) {
        let sorted = keys.enumerated()
            .filter { !$0.element.bytes.isEmpty }
            .sorted { a, b in
                a.element.bytes.lexicographicallyPrecedes(b.element.bytes)
                    || (a.element.bytes == b.element.bytes && a.offset < b.offset)
            }
            .map(\.element)
        var builder = Builder()
        builder.build(sorted)
        base = builder.base
        check = builder.check
        value = builder.value
    }

    /// Unsafe views of the arrays for a batch of lookups (valid only inside ``withView(_:)``);
    /// every index is still bounds-checked against the views.
    struct View {
        let base: UnsafeBufferPointer<Int32>
        let check: UnsafeBufferPointer<Int32>
        let value: UnsafeBufferPointer<Int32>

        /// Follows byte `c` from `node`; nil when there is no such edge.
        @inline(__always)
        func child(_ node: Int, _ c: UInt8) -> Int? {
            let t = Int(base[node]) &+ Int(c)
            guard t > 0, t < check.count, Int(check[t]) == node else { return nil }
            return t
        }

        /// The id stored for the key ending at `node`, or nil.
        @inline(__always)
        func valueAt(_ node: Int) -> Int32? {
            let v = value[node]
            return v >= 0 ? v : nil
        }

        /// The id of exactly `bytes`, or nil.
        @inline(__always)
        func exactMatch(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
            var node = SentencePieceTrie.root
            for c in bytes {
                guard let n = child(node, c) else { return nil }
                node = n
            }
            return valueAt(node)
        }

        /// The longest key that is a prefix of `bytes[start...]`: (length, id).
        @inline(__always)
        func longestPrefix(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> (length: Int, id: Int32)? {
            var node = SentencePieceTrie.root
            var best: (Int, Int32)?
            var i = start
            while i < bytes.count {
                guard let n = child(node, bytes[i]) else { break }
                node = n
                i += 1
                if let v = valueAt(node) { best = (i - start, v) }
            }
            return best
        }
    }

    func withView<R>(_ body: (View) throws -> R) rethrows -> R {
        try base.withUnsafeBufferPointer { b in
            try check.withUnsafeBufferPointer { c in
                try value.withUnsafeBufferPointer { v in try body(View(base: b, check: c, value: v)) }
            }
        }
    }

    /// The id of exactly `bytes`, or nil.
    func exactMatch(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        withView { $0.exactMatch(bytes) }
    }

    /// The longest key that is a prefix of `bytes[start...]`: (length, id).
    func longestPrefix(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> (length: Int, id: Int32)? {
        withView { $0.longestPrefix(bytes, from: start) }
    }

    private struct Builder {
        var base: [Int32] = []
        var check: [Int32] = []
        var value: [Int32] = []
        /// A base value already given to some node (two nodes must not share one).
        var used: [Bool] = []
        /// Free cells form a doubly-linked list in increasing order, so the base search visits free
        /// cells only and occupying a cell is O(1).
        var nextFree: [Int32] = []
        var prevFree: [Int32] = []
        var firstFree = -1
        var lastFree = -1

        mutating func grow(to size: Int) {
            guard size > check.count else { return }
            var newSize = max(check.count * 2, 1024)
            while newSize < size { newSize *= 2 }
            let old = check.count
            let extra = newSize - old
            base += [Int32](repeating: 0, count: extra)
            check += [Int32](repeating: -1, count: extra)
            value += [Int32](repeating: -1, count: extra)
            used += [Bool](repeating: false, count: extra)
            nextFree += [Int32](repeating: -1, count: extra)
            prevFree += [Int32](repeating: -1, count: extra)
            for i in old..<newSize {
                prevFree[i] = Int32(lastFree)
                if lastFree >= 0 { nextFree[lastFree] = Int32(i) } else { firstFree = i }
                lastFree = i
            }
        }

        mutating func occupy(_ cell: Int) {
            let p = Int(prevFree[cell]), n = Int(nextFree[cell])
            if p >= 0 { nextFree[p] = Int32(n) } else { firstFree = n }
            if n >= 0 { prevFree[n] = Int32(p) } else { lastFree = p }
            nextFree[cell] = -1
            prevFree[cell] = -1
        }

        /// Finds a base such that base + label is free for every label and the base is unused.
        mutating func findBase(_ labels: [UInt8]) -> Int {
            let first = Int(labels[0])
            let last = Int(labels[labels.count - 1])
            var cell = firstFree
            while true {
                if cell < 0 {
                    let from = check.count
                    grow(to: from + 256)
                    cell = from
                    continue
                }
                let b = cell - first
                if b > 0, !used[b] {
                    if b + last >= check.count { grow(to: b + last + 1) }
                    if labels.allSatisfy({ check[b + Int($0)] < 0 }) { return b }
                }
                cell = Int(nextFree[cell])
            }
        }

        /// Lays out the trie of `keys` (sorted, non-empty), depth first from the root.
        mutating func build(_ keys: [(bytes: [UInt8], value: Int32)]) {
            grow(to: 1024)
            occupy(0)
            check[0] = 0
            var stack: [(node: Int, depth: Int, range: Range<Int>)] = [(0, 0, 0..<keys.count)]
            while let (node, depth, range) = stack.popLast() {
                var lo = range.lowerBound
                if lo < range.upperBound, keys[lo].bytes.count == depth {
                    value[node] = keys[lo].value
                    lo += 1
                    // Later duplicates of the same key keep the first value.
                    while lo < range.upperBound, keys[lo].bytes.count == depth { lo += 1 }
                }
                guard lo < range.upperBound else { continue }
                var labels: [UInt8] = []
                var groups: [Range<Int>] = []
                var i = lo
                while i < range.upperBound {
                    let c = keys[i].bytes[depth]
                    var j = i + 1
                    while j < range.upperBound, keys[j].bytes[depth] == c { j += 1 }
                    labels.append(c)
                    groups.append(i..<j)
                    i = j
                }
                let b = findBase(labels)
                used[b] = true
                base[node] = Int32(b)
                for (c, group) in zip(labels, groups) {
                    let t = b + Int(c)
                    occupy(t)
                    check[t] = Int32(node)
                    stack.append((t, depth + 1, group))
                }
            }
            var end = check.count
            while end > 1, check[end - 1] < 0 { end -= 1 }
            base.removeSubrange(end...)
            check.removeSubrange(end...)
            value.removeSubrange(end...)
        }
    }
}
