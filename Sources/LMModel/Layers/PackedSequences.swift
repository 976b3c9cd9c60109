/// Several sequences stored back to back (no padding): sequence s occupies rows
/// offsets[s] ..< offsets[s] + lengths[s] of a (total, D) matrix. The encoder runs every
/// linear layer on all rows at once and attention per sequence, so a batch of different
/// lengths costs no padding work and needs no masks.
package struct PackedSequences: Sendable, Equatable {
    package let offsets: [Int]
    package let lengths: [Int]
    package let total: Int

    package init(lengths: [Int]) {
        var offsets: [Int] = []
        offsets.reserveCapacity(lengths.count)
        var total = 0
        for n in lengths {
            offsets.append(total)
            total += n
        }
        self.offsets = offsets
        self.lengths = lengths
        self.total = total
    }

    package var count: Int { lengths.count }
    package var maxLength: Int { lengths.max() ?? 0 }

    /// The sequence holding row `row` and the row's position inside it.
    package func locate(row: Int) -> (sequence: Int, position: Int) {
        // Binary search over offsets (rows are sorted by sequence).
        var lo = 0, hi = offsets.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if offsets[mid] <= row { lo = mid } else { hi = mid - 1 }
        }
        return (lo, row - offsets[lo])
    }
}

/// An additive attention bias that depends on query and key positions (T5's relative
/// position bias). Attention asks for one query row at a time.
package protocol PositionBias: Sendable {
    /// Writes bias[j] for keys j = 0..<keyCount of query position `query`, head `head`.
    func fill(head: Int, query: Int, keyCount: Int, into bias: UnsafeMutablePointer<Float>)
}
