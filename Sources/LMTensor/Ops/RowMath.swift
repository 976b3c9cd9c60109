/// Vectorised kernels over one row of logits, for search: max, exp-sum, log-softmax, argmax. Rows
/// are vocabulary-sized (tens of thousands of floats), so every pass is SIMD (the package compiles
/// with -target-cpu haswell). `package` and inlinable: search's loops inline them across modules.
/// Shapes: every row is a flat (V) buffer; nothing here allocates.
package enum RowMath {
    package typealias V16 = SIMD16<Float>

    @inlinable @inline(__always)
    static func load(_ base: UnsafePointer<Float>, _ i: Int) -> V16 {
        UnsafeRawPointer(base + i).loadUnaligned(as: V16.self)
    }

    @inlinable @inline(__always)
    static func store(_ v: V16, _ base: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(base + i).storeBytes(of: v, as: V16.self)
    }

    package typealias V8 = SIMD8<Float>

    /// exp for 16 lanes at or below 0 where some may be below -87.3 (or -inf): those lanes are
    /// raised to -87.3 first and give 1.2e-38, where torch's expf gives a denormal or 0. Summed over
    /// a vocabulary row whose largest term is exp(0) = 1, that is below 1e-33 in all, far under
    /// float32's resolution, so log-softmax values are unchanged; the clamp costs two vector max
    /// per chunk where masking such lanes to an exact 0 cost a branch and a blend per chunk and
    /// took most of a Flan-T5-shaped beam search's bookkeeping (rows spanning more than 87 nats
    /// have such a lane in nearly every chunk). A NaN lane stays NaN.
    @inlinable @inline(__always)
    static func expClamped(_ x: V16) -> V16 {
        let floor = V8(repeating: Lanes.expFloor)
        return Lanes.exp(V16(lowHalf: Lanes.max8(floor, x.lowHalf), highHalf: Lanes.max8(floor, x.highHalf)))
    }

    /// exp for 16 lanes one by one: lanes below -87.3 (and -inf) give 0 as in torch.
    @usableFromInline @inline(never)
    static func expLanes(_ x: V16) -> V16 {
        var out = V16()
        for j in 0..<16 { out[j] = x[j] < -87.3 ? 0 : LibM.expf32(x[j]) }
        return out
    }

    /// The largest element; -inf for an empty row. NaNs are ignored.
    @inlinable
    package static func max(_ p: UnsafeBufferPointer<Float>) -> Float { minMax(p).max }

    /// The smallest and largest elements in one pass (+inf, -inf for an empty row). NaNs are ignored.
    @inlinable
    package static func minMax(_ p: UnsafeBufferPointer<Float>) -> (min: Float, max: Float) {
        guard let base = p.baseAddress, p.count > 0 else { return (.infinity, -.infinity) }
        let n = p.count
        var hi0 = V8(repeating: -.infinity), hi1 = hi0
        var lo0 = V8(repeating: .infinity), lo1 = lo0
        var i = 0
        while i + 16 <= n {
            let a = UnsafeRawPointer(base + i).loadUnaligned(as: V8.self)
            let b = UnsafeRawPointer(base + i + 8).loadUnaligned(as: V8.self)
            hi0 = Lanes.max8(a, hi0)
            hi1 = Lanes.max8(b, hi1)
            lo0 = Lanes.min8(a, lo0)
            lo1 = Lanes.min8(b, lo1)
            i += 16
        }
        var hi = Lanes.horizontalMax(Lanes.max8(hi0, hi1)), lo = Lanes.horizontalMin(Lanes.min8(lo0, lo1))
        while i < n {
            if base[i] > hi { hi = base[i] }
            if base[i] < lo { lo = base[i] }
            i += 1
        }
        return (lo, hi)
    }

    /// Σ exp(x − m), accumulated in float lanes like torch's vectorised softmax. `rowMin` (the row's
    /// smallest element, when known) lets the whole row skip the per-chunk underflow check.
    @inlinable
    package static func sumExp(_ p: UnsafeBufferPointer<Float>, minus m: Float, rowMin: Float = -.infinity) -> Float {
        guard let base = p.baseAddress, p.count > 0 else { return 0 }
        let n = p.count
        let mv = V16(repeating: m)
        var acc = V16(repeating: 0)
        var i = 0
        if rowMin - m >= Lanes.expFloor {
            while i + 16 <= n {
                acc += Lanes.exp(load(base, i) - mv)
                i += 16
            }
        } else {
            // Rows with underflowing entries (-inf from processors, or a span above 87 nats).
            while i + 16 <= n {
                acc += expClamped(load(base, i) - mv)
                i += 16
            }
        }
        var tail = V16(repeating: -.infinity)
        var j = 0
        while i < n {
            tail[j] = base[i] - m
            i += 1
            j += 1
        }
        acc += expLanes(tail)
        return acc.sum()
    }

    /// Σ exp(fold(x) − c) for a row kept raw under a log-softmax fold (see `LogSoftmaxFold`): the
    /// second log-softmax of HF's `renormalize_logits`, computed without writing the first one out.
    @inlinable
    package static func sumExp(_ p: UnsafeBufferPointer<Float>, fold: LogSoftmaxFold, minus c: Float) -> Float {
        guard let base = p.baseAddress, p.count > 0 else { return 0 }
        let n = p.count
        let av = V16(repeating: fold.shift), bv = V16(repeating: fold.logSum), cv = V16(repeating: c)
        @inline(__always) func arg(_ x: Float) -> Float { ((x - fold.shift) - fold.logSum) - c }
        var acc = V16(repeating: 0)
        var i = 0
        while i + 16 <= n {
            acc += expClamped(((load(base, i) - av) - bv) - cv)
            i += 16
        }
        var tail = V16(repeating: -.infinity)
        var j = 0
        while i < n {
            tail[j] = arg(base[i])
            i += 1
            j += 1
        }
        acc += expLanes(tail)
        return acc.sum()
    }

    /// log Σ exp(x), computed as max + log Σ exp(x − max).
    @inlinable
    package static func logSumExp(_ p: UnsafeBufferPointer<Float>) -> Float {
        let (lo, m) = minMax(p)
        if m == -.infinity || !m.isFinite { return m }
        return m + LibM.ln(sumExp(p, minus: m, rowMin: lo))
    }

    /// In-place log-softmax: x − max − log Σ exp(x − max), the order torch's CPU kernel uses.
    @inlinable
    package static func logSoftmax(_ p: UnsafeMutableBufferPointer<Float>) {
        guard let base = p.baseAddress, p.count > 0 else { return }
        let ro = UnsafeBufferPointer(p)
        let (lo, m) = minMax(ro)
        let logSum = LibM.ln(sumExp(ro, minus: m, rowMin: lo))
        let n = p.count
        let mv = V16(repeating: m), lv = V16(repeating: logSum)
        var i = 0
        while i + 16 <= n {
            store((load(base, i) - mv) - lv, base, i)
            i += 16
        }
        while i < n {
            base[i] = (base[i] - m) - logSum
            i += 1
        }
    }

    /// The index of the first largest element (torch.argmax's tie rule); 0 for an all-NaN row.
    @inlinable
    package static func argmax(_ p: UnsafeBufferPointer<Float>) -> Int {
        guard let base = p.baseAddress, p.count > 0 else { return 0 }
        let m = max(p)
        let mv = V16(repeating: m)
        var i = 0
        while i + 16 <= p.count && !any(load(base, i) .== mv) { i += 16 }
        while i < p.count {
            if base[i] == m { return i }
            i += 1
        }
        // Only NaNs (or an empty max): torch treats NaN as largest; take the first NaN.
        for i in 0..<p.count where base[i].isNaN { return i }
        return 0
    }

    /// Divides every element by `d`, as `scores / temperature` does.
    @inlinable
    package static func divide(_ p: UnsafeMutableBufferPointer<Float>, by d: Float) {
        guard let base = p.baseAddress else { return }
        let n = p.count
        let dv = V16(repeating: d)
        var i = 0
        while i + 16 <= n {
            store(load(base, i) / dv, base, i)
            i += 16
        }
        while i < n {
            base[i] = base[i] / d
            i += 1
        }
    }

    /// Sets every element to `value`.
    @inlinable
    package static func fill(_ p: UnsafeMutableBufferPointer<Float>, _ value: Float) {
        guard let base = p.baseAddress else { return }
        base.update(repeating: value, count: p.count)
    }
}
