import LMTensor

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

    /// Offers every element `fold(row[i]) + add` with index `baseIndex + i`: a row's log-probabilities
    /// (kept raw under `fold`) plus a beam score, computed element by element in float exactly as torch's
    /// materialised `log_softmax` followed by `+ beam_scores` would.
    mutating func scan(_ row: UnsafeBufferPointer<Float>, add: Float = 0, baseIndex: Int = 0,
                       fold: LogSoftmaxFold = .identity) {
        guard let base = row.baseAddress, k > 0 else { return }
        @inline(__always) func value(_ x: Float) -> Float { fold.apply(x) + add }
        let n = row.count
        var i = 0
        while i < n && count < k {
            offer(value(base[i]), index: baseIndex + i)
            i += 1
        }
        // Blocks of 64 raw values: one vectorised max per block, compared with the raw value below which no
        // element can beat the current k-th best (the transform is monotone). Only such blocks are looked
        // at element by element, which is rare once the selection has filled up.
        var raw = rawThreshold(fold: fold, add: add)
        while i + 64 <= n {
            let p = base + i
            @inline(__always) func ld(_ o: Int) -> SIMD8<Float> {
                UnsafeRawPointer(p + o).loadUnaligned(as: SIMD8<Float>.self)
            }
            let m = Lanes.max8(Lanes.max8(Lanes.max8(ld(0), ld(8)), Lanes.max8(ld(16), ld(24))),
                                    Lanes.max8(Lanes.max8(ld(32), ld(40)), Lanes.max8(ld(48), ld(56))))
            if any(m .> raw) {
                for j in 0..<64 { offer(value(base[i + j]), index: baseIndex + i + j) }
                raw = rawThreshold(fold: fold, add: add)
            }
            i += 64
        }
        while i < n {
            offer(value(base[i]), index: baseIndex + i)
            i += 1
        }
    }

    /// A raw value r with fold(x) + add ≤ threshold for every x ≤ r (broadcast), so a block whose raw max
    /// is ≤ r has nothing to offer. Found by inverting the transform, then stepping down until rounding
    /// can no longer lift r above the threshold.
    private func rawThreshold(fold: LogSoftmaxFold, add: Float) -> SIMD8<Float> {
        let t = threshold
        guard t.isFinite else { return SIMD8<Float>(repeating: t.isNaN ? .infinity : t) }
        var r = ((((t - add) + fold.logSum2) + fold.shift2) + fold.logSum) + fold.shift
        var step = Swift.max(r.ulp, Float.leastNormalMagnitude)
        var tries = 0
        while !(fold.apply(r) + add <= t) && tries < 64 {
            r -= step
            step *= 2
            tries += 1
        }
        return SIMD8<Float>(repeating: tries < 64 ? r : -.infinity)
    }
}
