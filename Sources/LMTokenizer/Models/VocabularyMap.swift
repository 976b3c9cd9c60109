/// A read-only hash map from UTF-8 byte strings to ids, looked up without building `String`s
/// (open addressing over one byte arena; FNV-1a hashing).
struct VocabularyMap: Sendable {
    private var arena: [UInt8] = []
    private var starts: [Int] = []     // per entry: start in arena
    private var lengths: [Int32] = []  // per entry
    private var ids: [Int32] = []      // per entry
    private var slots: [Int32]         // entry index + 1, 0 = empty
    private var mask: Int

    init<S: Sequence>(_ entries: S) where S.Element == (String, Int32) {
        var list: [(String, Int32)] = []
        for e in entries { list.append(e) }
        var capacity = 16
        while capacity < list.count * 2 { capacity <<= 1 }
        slots = [Int32](repeating: 0, count: capacity)
        mask = capacity - 1
        arena.reserveCapacity(list.count * 8)
        for (token, id) in list { insert(Array(token.utf8), id) }
    }

    var count: Int { ids.count }

    /// Calls `body(bytes, id)` for every distinct key.
    func forEach(_ body: (ArraySlice<UInt8>, Int32) -> Void) {
        for e in 0..<ids.count {
            let s = Int(starts[e])
            body(arena[s..<(s + Int(lengths[e]))], ids[e])
        }
    }

    @inline(__always)
    private static func hash(_ p: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in p { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// Inserts or overwrites (the last value wins, as HF's map collects).
    private mutating func insert(_ key: [UInt8], _ id: Int32) {
        let h = key.withUnsafeBufferPointer { VocabularyMap.hash($0) }
        var slot = h & mask
        while true {
            let e = Int(slots[slot])
            if e == 0 {
                starts.append(arena.count)
                lengths.append(Int32(truncatingIfNeeded: key.count))
                ids.append(id)
                arena.append(contentsOf: key)
                slots[slot] = Int32(truncatingIfNeeded: ids.count)
                return
            }
            if equal(e - 1, key) { ids[e - 1] = id; return }
            slot = (slot + 1) & mask
        }
    }

    private func equal(_ entry: Int, _ key: [UInt8]) -> Bool {
        key.withUnsafeBufferPointer { equal(entry, $0) }
    }

    @inline(__always)
    private func equal(_ entry: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = Int(lengths[entry])
        guard n == key.count else { return false }
        let s = Int(starts[entry])
        return arena.withUnsafeBufferPointer { a in
            for i in 0..<n where a[s + i] != key[i] { return false }
            return true
        }
    }

    @inline(__always)
    func get(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        var slot = VocabularyMap.hash(key) & mask
        return arena.withUnsafeBufferPointer { a -> Int32? in
            while true {
                let e = Int(slots[slot])
                if e == 0 { return nil }
                let n = Int(lengths[e - 1])
                if n == key.count {
                    let s = Int(starts[e - 1])
                    var same = true
                    var k = 0
                    while k < n { if a[s + k] != key[k] { same = false; break }; k += 1 }
                    if same { return ids[e - 1] }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    func get(_ key: [UInt8]) -> Int32? { key.withUnsafeBufferPointer { get($0) } }
    func get(_ key: ArraySlice<UInt8>) -> Int32? { key.withUnsafeBufferPointer { get($0) } }
    func get(_ key: String) -> Int32? {
        var key = key
        return key.withUTF8 { get($0) }
    }
}

/// A hash map from an id pair to a merge (rank, new id), open addressing.
struct MergeMap: Sendable {
    private var keys: [UInt64]
    private var values: [UInt64]
    private var mask: Int
    private(set) var count = 0
    private static let empty = UInt64.max

    init(capacity: Int) {
        var c = 16
        while c < capacity * 2 { c <<= 1 }
        keys = [UInt64](repeating: MergeMap.empty, count: c)
        values = [UInt64](repeating: 0, count: c)
        mask = c - 1
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }

    mutating func set(_ a: Int32, _ b: Int32, rank: Int32, newId: Int32) {
        let key = UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
        var s = MergeMap.slot(key, mask)
        while keys[s] != MergeMap.empty && keys[s] != key { s = (s + 1) & mask }
        if keys[s] == MergeMap.empty { count += 1 }
        keys[s] = key
        values[s] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: newId))
    }

    /// (rank, new id) for the pair, if it merges.
    @inline(__always)
    func get(_ a: Int32, _ b: Int32) -> (rank: Int32, newId: Int32)? {
        let key = UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
        var s = MergeMap.slot(key, mask)
        while true {
            let k = keys[s]
            if k == key {
                let v = values[s]
                return (Int32(bitPattern: UInt32(v >> 32)), Int32(bitPattern: UInt32(truncatingIfNeeded: v)))
            }
            if k == MergeMap.empty { return nil }
            s = (s + 1) & mask
        }
    }
}
