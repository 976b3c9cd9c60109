/// Vectorised row kernels for search: max, exp-sum, log-softmax, argmax. Rows are vocabulary-sized
/// (tens of thousands of floats), so every pass is SIMD (the package compiles with -target-cpu haswell).
enum VectorMath {
    typealias V16 = SIMD16<Float>

    @inline(__always)
    static func load(_ base: UnsafePointer<Float>, _ i: Int) -> V16 {
        UnsafeRawPointer(base + i).loadUnaligned(as: V16.self)
    }

    @inline(__always)
    static func store(_ v: V16, _ base: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(base + i).storeBytes(of: v, as: V16.self)
    }

    typealias V8 = SIMD8<Float>
    typealias U16 = SIMD16<UInt32>

    /// Vector constants of the exp kernel. Swift's SIMD operators with a scalar operand, `pointwiseMax`,
    /// `clamped` and `replacing(with:where:)` compile to per-lane code; vector-vector arithmetic,
    /// `addingProduct` (FMA), comparisons with `any` and lane-wise ternaries on SIMD8 do vectorise.
    struct ExpConstants {
        let log2e = V16(repeating: 1.44269504088896341), magic = V16(repeating: 12582912.0)
        let negLn2High = V16(repeating: -0.693359375), negLn2Low = V16(repeating: 2.12194440e-4)
        let p0 = V16(repeating: 1.9875691500e-4), p1 = V16(repeating: 1.3981999507e-3)
        let p2 = V16(repeating: 8.3334519073e-3), p3 = V16(repeating: 4.1665795894e-2)
        let p4 = V16(repeating: 1.6666665459e-1), p5 = V16(repeating: 5.0000001201e-1)
        let one = V16(repeating: 1)
        let magicBits = U16(repeating: 0x4B40_0000), bias = U16(repeating: 127)
        let exponentShift = U16(repeating: 1 << 23)
    }

    /// exp(x) for 16 lanes all in [-87.3, 0]: Cephes' expf range reduction and polynomial (about 1 ulp).
    @inline(__always)
    static func expNormal(_ x: V16, _ k: ExpConstants) -> V16 {
        // Round x·log2(e) to nearest with the 1.5·2^23 trick; the low mantissa bits of t are then n.
        let t = k.magic.addingProduct(x, k.log2e)
        let n = t - k.magic
        var r = x.addingProduct(n, k.negLn2High)
        r = r.addingProduct(n, k.negLn2Low)
        var y = k.p1.addingProduct(k.p0, r)
        y = k.p2.addingProduct(y, r)
        y = k.p3.addingProduct(y, r)
        y = k.p4.addingProduct(y, r)
        y = k.p5.addingProduct(y, r)
        y = (r + k.one).addingProduct(y, r * r)
        let ni = unsafeBitCast(t, to: U16.self) &- k.magicBits
        return y * unsafeBitCast((ni &+ k.bias) &* k.exponentShift, to: V16.self)
    }

    /// The argument floor of the vector exp: exp(-87.3) ≈ 1.2e-38 is still a normal float.
    static let expFloor: Float = -87.3

    /// exp for 16 lanes at or below 0 where some may be below -87.3 (or -inf): those lanes are
    /// raised to -87.3 first and give 1.2e-38, where torch's expf gives a denormal or 0. Summed over
    /// a vocabulary row whose largest term is exp(0) = 1, that is below 1e-33 in all, far under
    /// float32's resolution, so log-softmax values are unchanged; the clamp costs two vector max
    /// per chunk where masking such lanes to an exact 0 cost a branch and a blend per chunk and
    /// took most of a Flan-T5-shaped beam search's bookkeeping (rows spanning more than 87 nats
    /// have such a lane in nearly every chunk). A NaN lane stays NaN.
    @inline(__always)
    static func expClamped(_ x: V16, _ k: ExpConstants) -> V16 {
        let floor = V8(repeating: expFloor)
        return expNormal(V16(lowHalf: max8(floor, x.lowHalf), highHalf: max8(floor, x.highHalf)), k)
    }

    /// exp for 16 lanes one by one: lanes below -87.3 (and -inf) give 0 as in torch.
    @inline(never)
    static func expLanes(_ x: V16) -> V16 {
        var out = V16()
        for j in 0..<16 { out[j] = x[j] < -87.3 ? 0 : LibM.expf32(x[j]) }
        return out
    }

    /// Lane-wise max written so LLVM's SLP vectoriser emits one vmaxps (`pointwiseMax` does not).
    /// A NaN in `a` loses to `b`.
    @inline(__always)
    static func max8(_ a: V8, _ b: V8) -> V8 {
        V8(a[0] > b[0] ? a[0] : b[0], a[1] > b[1] ? a[1] : b[1], a[2] > b[2] ? a[2] : b[2],
           a[3] > b[3] ? a[3] : b[3], a[4] > b[4] ? a[4] : b[4], a[5] > b[5] ? a[5] : b[5],
           a[6] > b[6] ? a[6] : b[6], a[7] > b[7] ? a[7] : b[7])
    }

    /// The largest lane (the stdlib's `max()` is an out-of-line generic call).
    @inline(__always)
    static func horizontalMax(_ v: V8) -> Float {
        let a = v[0] > v[1] ? v[0] : v[1], b = v[2] > v[3] ? v[2] : v[3]
        let c = v[4] > v[5] ? v[4] : v[5], d = v[6] > v[7] ? v[6] : v[7]
        let ab = a > b ? a : b, cd = c > d ? c : d
        return ab > cd ? ab : cd
    }

    /// The smallest lane.
    @inline(__always)
    static func horizontalMin(_ v: V8) -> Float {
        let a = v[0] < v[1] ? v[0] : v[1], b = v[2] < v[3] ? v[2] : v[3]
        let c = v[4] < v[5] ? v[4] : v[5], d = v[6] < v[7] ? v[6] : v[7]
        let ab = a < b ? a : b, cd = c < d ? c : d
        return ab < cd ? ab : cd
    }

    /// Lane-wise min, the counterpart of `max8`.
    @inline(__always)
    static func min8(_ a: V8, _ b: V8) -> V8 {
        V8(a[0] < b[0] ? a[0] : b[0], a[1] < b[1] ? a[1] : b[1], a[2] < b[2] ? a[2] : b[2],
           a[3] < b[3] ? a[3] : b[3], a[4] < b[4] ? a[4] : b[4], a[5] < b[5] ? a[5] : b[5],
           a[6] < b[6] ? a[6] : b[6], a[7] < b[7] ? a[7] : b[7])
    }

    /// The largest element; -inf for an empty row. NaNs are ignored.
    static func max(_ p: UnsafeBufferPointer<Float>) -> Float { minMax(p).max }

    /// The smallest and largest elements in one pass (+inf, -inf for an empty row). NaNs are ignored.
    static func minMax(_ p: UnsafeBufferPointer<Float>) -> (min: Float, max: Float) {
        guard let base = p.baseAddress, p.count > 0 else { return (.infinity, -.infinity) }
        let n = p.count
        var hi0 = V8(repeating: -.infinity), hi1 = hi0
        var lo0 = V8(repeating: .infinity), lo1 = lo0
        var i = 0
        while i + 16 <= n {
            let a = UnsafeRawPointer(base + i).loadUnaligned(as: V8.self)
            let b = UnsafeRawPointer(base + i + 8).loadUnaligned(as: V8.self)
            hi0 = max8(a, hi0)
            hi1 = max8(b, hi1)
            lo0 = min8(a, lo0)
            lo1 = min8(b, lo1)
            i += 16
        }
        var hi = horizontalMax(max8(hi0, hi1)), lo = horizontalMin(min8(lo0, lo1))
        while i < n {
            if base[i] > hi { hi = base[i] }
            if base[i] < lo { lo = base[i] }
            i += 1
        }
        return (lo, hi)
    }

    /// Σ exp(x − m), accumulated in float lanes like torch's vectorised softmax. `rowMin` (the row's
    /// smallest element, when known) lets the whole row skip the per-chunk underflow check.
    static func sumExp(_ p: UnsafeBufferPointer<Float>, minus m: Float, rowMin: Float = -.infinity) -> Float {
        guard let base = p.baseAddress, p.count > 0 else { return 0 }
        let n = p.count
        let k = ExpConstants()
        let mv = V16(repeating: m)
        var acc = V16(repeating: 0)
        var i = 0
        if rowMin - m >= expFloor {
            while i + 16 <= n {
                acc += expNormal(load(base, i) - mv, k)
                i += 16
            }
        } else {
            // Rows with underflowing entries (-inf from processors, or a span above 87 nats).
            while i + 16 <= n {
                acc += expClamped(load(base, i) - mv, k)
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
    static func sumExp(_ p: UnsafeBufferPointer<Float>, fold: LogSoftmaxFold, minus c: Float) -> Float {
        guard let base = p.baseAddress, p.count > 0 else { return 0 }
        let n = p.count
        let k = ExpConstants()
        let av = V16(repeating: fold.shift), bv = V16(repeating: fold.logSum), cv = V16(repeating: c)
        @inline(__always) func arg(_ x: Float) -> Float { ((x - fold.shift) - fold.logSum) - c }
        var acc = V16(repeating: 0)
        var i = 0
        while i + 16 <= n {
            acc += expClamped(((load(base, i) - av) - bv) - cv, k)
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
    static func logSumExp(_ p: UnsafeBufferPointer<Float>) -> Float {
        let (lo, m) = minMax(p)
        if m == -.infinity || !m.isFinite { return m }
        return m + LibM.ln(sumExp(p, minus: m, rowMin: lo))
    }

    /// In-place log-softmax: x − max − log Σ exp(x − max), the order torch's CPU kernel uses.
    static func logSoftmax(_ p: UnsafeMutableBufferPointer<Float>) {
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
    static func argmax(_ p: UnsafeBufferPointer<Float>) -> Int {
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
    static func divide(_ p: UnsafeMutableBufferPointer<Float>, by d: Float) {
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
    static func fill(_ p: UnsafeMutableBufferPointer<Float>, _ value: Float) {
        guard let base = p.baseAddress else { return }
        base.update(repeating: value, count: p.count)
    }
}
