// N-gram multisets for BLEU and chrF without a string per n-gram: an n-gram is packed exactly
// into 128 bits (up to six code points of 21 bits, or up to four interned word ids of 32 bits),
// and a multiset is the sorted run-length list of its keys, so clipped matches are one merge.
// Counting this way gives the same integers as sacrebleu's Counter arithmetic, several times
// faster than hashing a String per n-gram.

/// One n-gram, packed. Within one order every key has the same number of used lanes, so unused
/// lanes (zero) never make two different n-grams equal.
struct NGramKey: Hashable, Comparable {
    var high: UInt64
    var low: UInt64

    static func < (l: NGramKey, r: NGramKey) -> Bool { l.high != r.high ? l.high < r.high : l.low < r.low }

    /// Up to 6 code points (21 bits each).
    static let maxCharacters = 6
    /// Up to 4 word ids (32 bits each, ids from 1).
    static let maxWords = 4

    @inline(__always)
    static func characters(_ s: UnsafeBufferPointer<UInt32>, _ start: Int, _ n: Int) -> NGramKey {
        var high: UInt64 = 0, low: UInt64 = 0
        for k in 0..<min(n, 3) { high |= UInt64(s[start + k]) << (21 * UInt64(k)) }
        if n > 3 { for k in 3..<n { low |= UInt64(s[start + k]) << (21 * UInt64(k - 3)) } }
        return NGramKey(high: high, low: low)
    }

    @inline(__always)
    static func words(_ ids: UnsafeBufferPointer<UInt32>, _ start: Int, _ n: Int) -> NGramKey {
        var high: UInt64 = 0, low: UInt64 = 0
        for k in 0..<min(n, 2) { high |= UInt64(ids[start + k]) << (32 * UInt64(k)) }
        if n > 2 { for k in 2..<n { low |= UInt64(ids[start + k]) << (32 * UInt64(k - 2)) } }
        return NGramKey(high: high, low: low)
    }

    /// The number of word ids in a word key (its order).
    var wordCount: Int {
        (high & 0xFFFF_FFFF != 0 ? 1 : 0) + (high >> 32 != 0 ? 1 : 0) + (low & 0xFFFF_FFFF != 0 ? 1 : 0)
            + (low >> 32 != 0 ? 1 : 0)
    }
}

/// A multiset of n-grams: distinct keys ascending, with their counts.
struct NGramBag {
    var keys: [NGramKey] = []
    var counts: [Int] = []
    /// The sum of the counts.
    var total = 0

    init() {}

    /// Counts the keys (sorted in place).
    init(counting unsorted: inout [NGramKey]) {
        total = unsorted.count
        guard !unsorted.isEmpty else { return }
        unsorted.sort()
        keys.reserveCapacity(unsorted.count)
        counts.reserveCapacity(unsorted.count)
        var current = unsorted[0], run = 0
        for key in unsorted {
            if key == current {
                run += 1
            } else {
                keys.append(current)
                counts.append(run)
                current = key
                run = 1
            }
        }
        keys.append(current)
        counts.append(run)
    }

    var isEmpty: Bool { keys.isEmpty }

    /// Σ min(count here, count there) over shared keys: sacrebleu's clipped matches.
    func matches(_ other: NGramBag) -> Int {
        var i = 0, j = 0, m = 0
        while i < keys.count && j < other.keys.count {
            if keys[i] == other.keys[j] {
                m += min(counts[i], other.counts[j]); i += 1; j += 1
            } else if keys[i] < other.keys[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return m
    }

    /// Per-key maximum of two bags (BLEU's reference counts over several references).
    func maximum(_ other: NGramBag) -> NGramBag {
        var out = NGramBag()
        var i = 0, j = 0
        while i < keys.count || j < other.keys.count {
            if j == other.keys.count || (i < keys.count && keys[i] < other.keys[j]) {
                out.keys.append(keys[i]); out.counts.append(counts[i]); i += 1
            } else if i == keys.count || other.keys[j] < keys[i] {
                out.keys.append(other.keys[j]); out.counts.append(other.counts[j]); j += 1
            } else {
                out.keys.append(keys[i]); out.counts.append(max(counts[i], other.counts[j])); i += 1; j += 1
            }
        }
        out.total = out.counts.reduce(0, +)
        return out
    }

    /// Clipped matches of this (hypothesis) bag against `reference`, split by word order:
    /// result[n - 1] is the matches of n-grams with n words.
    func matchesByWordOrder(_ reference: NGramBag, orders: Int) -> [Int] {
        var out = [Int](repeating: 0, count: orders)
        var i = 0, j = 0
        while i < keys.count && j < reference.keys.count {
            if keys[i] == reference.keys[j] {
                out[keys[i].wordCount - 1] += min(counts[i], reference.counts[j]); i += 1; j += 1
            } else if keys[i] < reference.keys[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return out
    }
}

/// Interns the words of one statistics call (hypothesis and its references) as ids from 1, so
/// word n-grams pack into keys.
struct WordInterner {
    private var ids: [[Unicode.Scalar]: UInt32] = [:]

    mutating func id(_ word: [Unicode.Scalar]) -> UInt32 {
        if let id = ids[word] { return id }
        let id = UInt32(ids.count + 1)
        ids[word] = id
        return id
    }

    mutating func ids(_ words: [[Unicode.Scalar]]) -> [UInt32] { words.map { id($0) } }
}
