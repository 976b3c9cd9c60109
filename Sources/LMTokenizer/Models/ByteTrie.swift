/// A byte trie over UTF-8 strings for common-prefix searches (Unigram pieces, added tokens).
/// Edges live in one open-addressing table keyed by (node, byte).
struct ByteTrie: Sendable {
    private var edgeKeys: [UInt64]
    private var edgeValues: [Int32]
    private var mask: Int
    /// Children of the root, indexed by byte (most walks are short, so the first step matters).
    private var rootChildren = [Int32](repeating: -1, count: 256)
    /// Per node: the value stored where a key ends there, or -1.
    private(set) var terminal: [Int32] = [-1]
    /// The longest key, in bytes.
    private(set) var maxKeyLength = 0
    private static let empty = UInt64.max

    init(keys: [([UInt8], Int32)]) {
        var total = 1
        for (k, _) in keys { total += k.count }
        var c = 16
        while c < total * 2 { c <<= 1 }
        edgeKeys = [UInt64](repeating: ByteTrie.empty, count: c)
        edgeValues = [Int32](repeating: 0, count: c)
        mask = c - 1
        for (k, v) in keys { insert(k, v) }
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        return Int(truncatingIfNeeded: h) & mask
    }

    private mutating func insert(_ key: [UInt8], _ value: Int32) {
        var node: Int32 = 0
        for b in key {
            let k = UInt64(UInt32(node)) << 8 | UInt64(b)
            var s = slot(k)
            while edgeKeys[s] != ByteTrie.empty && edgeKeys[s] != k { s = (s + 1) & mask }
            if edgeKeys[s] == k {
                node = edgeValues[s]
            } else {
                edgeKeys[s] = k
                let new = Int32(truncatingIfNeeded: terminal.count)
                edgeValues[s] = new
                terminal.append(-1)
                if node == 0 { rootChildren[Int(b)] = new }
                node = new
            }
        }
        terminal[Int(node)] = value
        maxKeyLength = max(maxKeyLength, key.count)
    }

    /// The child of `node` by `byte`, or -1.
    @inline(__always)
    func child(_ node: Int32, _ byte: UInt8) -> Int32 {
        if node == 0 { return rootChildren[Int(byte)] }
        let k = UInt64(UInt32(node)) << 8 | UInt64(byte)
        var s = slot(k)
        while true {
            let e = edgeKeys[s]
            if e == k { return edgeValues[s] }
            if e == ByteTrie.empty { return -1 }
            s = (s + 1) & mask
        }
    }

    /// Calls `body(length, value)` for every key that is a prefix of `bytes[start...]`, shortest first.
    @inline(__always)
    func commonPrefixes(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, _ body: (Int, Int32) -> Void) {
        var node: Int32 = 0
        var i = start
        while i < bytes.count {
            node = child(node, bytes[i])
            if node < 0 { return }
            i += 1
            let v = terminal[Int(node)]
            if v >= 0 { body(i - start, v) }
        }
    }
}
