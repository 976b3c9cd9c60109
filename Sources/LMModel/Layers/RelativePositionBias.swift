#if canImport(Glibc)
import Glibc
#endif
import LMTensor
import LMInput

/// T5's relative position bias (T5Attention.compute_bias): a learned scalar per head and per
/// bucket of the relative position `key − query`, added to the self-attention scores. Only the
/// first block of each stack owns the (buckets, heads) table; every layer of the stack reuses
/// the bias. The encoder's buckets are bidirectional, the decoder's causal.
///
/// The bias depends only on `key − query`, and all relative positions beyond ±`span` share one
/// bucket, so it is precomputed once per (head, relative position): attention copies a slice of
/// a row instead of doing bucket arithmetic per score.
// Follows transformers' T5Attention._relative_position_bucket (v5.23), itself after Mesh TensorFlow.
package struct RelativePositionBias: PositionBias {
    package let heads: Int
    package let bidirectional: Bool
    package let numBuckets: Int
    package let maxDistance: Int
    /// Relative positions r with |r| ≥ span fall in the bucket of ±span.
    package let span: Int
    /// (heads, 2·span + 1): the bias of head h for relative position r at h·(2·span+1) + r + span.
    private let table: FloatBuffer

    /// The largest precomputed span: tables of heads × (2·span + 1) floats stay small.
    package static let maxSpan = 1 << 20

    /// - Parameter weights: the (numBuckets, heads) `relative_attention_bias.weight`.
    package init(weights: Tensor, heads: Int, bidirectional: Bool, numBuckets: Int, maxDistance: Int) throws {
        if let problem = RelativePositionBias.problem(numBuckets: numBuckets, maxDistance: maxDistance,
                                                      bidirectional: bidirectional) {
            throw InputError.unsupported(problem)
        }
        guard weights.shape == [numBuckets, heads] else {
            throw InputError.format("relative_attention_bias.weight has shape \(weights.shape), expected "
                + "[\(numBuckets), \(heads)]")
        }
        self.heads = heads
        self.bidirectional = bidirectional
        self.numBuckets = numBuckets
        self.maxDistance = maxDistance
        let span = RelativePositionBias.saturation(bidirectional: bidirectional, numBuckets: numBuckets,
                                                   maxDistance: maxDistance)
        guard span <= RelativePositionBias.maxSpan, heads <= (1 << 28) / (2 * span + 1) else {
            throw InputError.unsupported("relative_attention_max_distance \(maxDistance) with "
                + "relative_attention_num_buckets \(numBuckets) needs relative positions up to \(span) for "
                + "\(heads) heads; tables of at most \(RelativePositionBias.maxSpan) positions and 2^28 entries are "
                + "supported")
        }
        self.span = span
        let width = 2 * span + 1
        let table = FloatBuffer(count: heads * width, zeroed: false)
        weights.storage.withUnsafeBufferPointer { w in
            for r in -span...span {
                let b = RelativePositionBias.bucket(relativePosition: r, bidirectional: bidirectional,
                                                    numBuckets: numBuckets, maxDistance: maxDistance)
                for h in 0..<heads { table.pointer[h * width + r + span] = w[b * heads + h] }
            }
        }
        self.table = table
    }

    /// Why a bucket configuration cannot work (the reference divides by zero or indexes out of
    /// its table), or nil when it is sound.
    package static func problem(numBuckets: Int, maxDistance: Int, bidirectional: Bool) -> String? {
        let perDirection = bidirectional ? numBuckets / 2 : numBuckets
        let maxExact = perDirection / 2
        guard maxExact >= 1 else {
            return "relative_attention_num_buckets \(numBuckets) is too small (at least \(bidirectional ? 4 : 2))"
        }
        guard maxDistance > maxExact else {
            return "relative_attention_max_distance \(maxDistance) must exceed \(maxExact) (half the buckets of "
                + "one direction) with relative_attention_num_buckets \(numBuckets)"
        }
        return nil
    }

    /// The bucket of `relativePosition` (key − query). Computed in float32 exactly as torch does:
    /// small distances have a bucket each, larger ones logarithmically wider buckets up to
    /// `maxDistance`. The configuration must pass `problem`.
    package static func bucket(relativePosition: Int, bidirectional: Bool, numBuckets: Int, maxDistance: Int) -> Int {
        var buckets = numBuckets
        var base = 0
        var distance: Int
        if bidirectional {
            buckets /= 2
            if relativePosition > 0 { base = buckets }
            distance = relativePosition.magnitude > UInt(Int.max) ? Int.max : abs(relativePosition)
        } else {
            distance = relativePosition < 0 ? (relativePosition == Int.min ? Int.max : -relativePosition) : 0
        }
        let maxExact = buckets / 2
        if distance < maxExact { return base + distance }
        // torch: log(float(d) / max_exact) / float(log(max_distance / max_exact)) * (buckets − max_exact),
        // truncated, capped at buckets − 1.
        let ratio = Float(distance) / Float(maxExact)
        let denominator = Float(log(Double(maxDistance) / Double(maxExact)))
        let value = logf(ratio) / denominator * Float(buckets - maxExact)
        let large = value >= Float(buckets) ? buckets - 1 : min(maxExact + Int(value), buckets - 1)
        return base + large
    }

    /// The smallest distance from which every larger one falls in the last bucket of its
    /// direction. Buckets never decrease with distance (every step of `bucket` is monotonic).
    static func saturation(bidirectional: Bool, numBuckets: Int, maxDistance: Int) -> Int {
        let last = (bidirectional ? numBuckets / 2 : numBuckets) - 1
        func saturated(_ d: Int) -> Bool {
            bucket(relativePosition: -d, bidirectional: bidirectional, numBuckets: numBuckets,
                   maxDistance: maxDistance) == last
        }
        var hi = maxDistance
        while !saturated(hi) && hi < Int.max / 4 { hi *= 2 }
        var lo = 0
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if saturated(mid) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// The bias of head `head` for query position `query` against keys 0..<keyCount.
    package func fill(head: Int, query: Int, keyCount: Int, into bias: UnsafeMutablePointer<Float>) {
        let width = 2 * span + 1
        let row = UnsafePointer(table.pointer + head * width)   // row[r + span], r = key − query
        // Keys before `lo` are at r < −span, keys from `hi` on at r > span.
        let lo = max(0, min(keyCount, query - span))
        let hi = max(lo, min(keyCount, query + span + 1))
        if lo > 0 { bias.update(repeating: row[0], count: lo) }
        if hi > lo { (bias + lo).update(from: row + (lo - query + span), count: hi - lo) }
        if keyCount > hi { (bias + hi).update(repeating: row[width - 1], count: keyCount - hi) }
    }
}
