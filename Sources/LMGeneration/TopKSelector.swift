/// Partial top-k over long rows without sorting them: one vectorised pass that only looks at an element
/// when it beats the current k-th best. Keeps the k best (value, index) pairs, sorted by value
/// descending; equal values keep scan order (lower index first).
///
/// torch.topk's order among exactly equal values is unspecified (introselect); lmcore breaks such ties
/// by index, the order a stable sort gives.
struct TopKSelector {
    private(set) var k: Int = 0
    private(set) var count: Int = 0
    private(set) var values: [Float] = []
    private(set) var indices: [Int] = []

    /// Empties the selection and sets how many elements to keep (buffers grow, never shrink).
    mutating func reset(k newK: Int) {
        k = Swift.max(newK, 0)
        count = 0
        if values.count < k {
            values = [Float](repeating: 0, count: k)
            indices = [Int](repeating: 0, count: k)
        }
    }

    /// The k-th best value so far, or -inf while fewer than k elements were seen.
    var threshold: Float { count == k && k > 0 ? values[k - 1] : -.infinity }

    /// Offers one element; it enters when the selection is not full or it beats the k-th best.
    @inline(__always)
    mutating func offer(_ v: Float, index: Int) {
        guard k > 0 else { return }
        if count == k {
            guard v > values[k - 1] else { return }
        } else {
            count += 1
        }
        var pos = count - 1
        // Strict comparison: an equal value already present (lower index) stays in front.
        while pos > 0 && values[pos - 1] < v {
            values[pos] = values[pos - 1]
            indices[pos] = indices[pos - 1]
            pos -= 1
        }
        // NaN never satisfies `<`, so it lands where it stands; torch would rank it first (degenerate input).
        values[pos] = v
        indices[pos] = index
    }

    /// Offers every element `row[i] + add` with index `baseIndex + i`. The addition is done in float,
    /// element by element, exactly as `log_probs + beam_scores` is in torch.
    mutating func scan(_ row: UnsafeBufferPointer<Float>, add: Float = 0, baseIndex: Int = 0) {
        guard let base = row.baseAddress, k > 0 else { return }
        let n = row.count
        var i = 0
        while i < n && count < k {
            offer(base[i] + add, index: baseIndex + i)
            i += 1
        }
        // Blocks of 64: one vectorised max per block; a block is looked at element by element only when
        // its max beats the current k-th best (rare once the selection has filled up).
        let addV = SIMD8<Float>(repeating: add)
        while i + 64 <= n {
            var m = SIMD8<Float>(repeating: -.infinity)
            var j = 0
            while j < 64 {
                m = VectorMath.max8(UnsafeRawPointer(base + i + j).loadUnaligned(as: SIMD8<Float>.self) + addV, m)
                j += 8
            }
            if VectorMath.horizontalMax(m) > values[k - 1] {
                for j in 0..<64 { offer(base[i + j] + add, index: baseIndex + i + j) }
            }
            i += 64
        }
        while i < n {
            offer(base[i] + add, index: baseIndex + i)
            i += 1
        }
    }
}
