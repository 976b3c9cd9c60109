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

    /// exp(x) for 16 lanes: Cephes' expf range reduction and polynomial (about 1 ulp); lanes below
    /// -87.3 (including -inf) give exactly 0, as torch's exp does for -inf.
    @inline(__always)
    static func exp(_ x: V16) -> V16 {
        let lo: Float = -87.3
        let xc = x.clamped(lowerBound: V16(repeating: lo), upperBound: V16(repeating: 88.0))
        // Round x·log2(e) to nearest with the 1.5·2^23 trick; its low mantissa bits are the integer n.
        let magic: Float = 12582912.0
        let t = xc * 1.44269504088896341 + magic
        let n = t - magic
        var r = xc - n * 0.693359375
        r = r - n * -2.12194440e-4
        var y = V16(repeating: 1.9875691500e-4)
        y = y * r + 1.3981999507e-3
        y = y * r + 8.3334519073e-3
        y = y * r + 4.1665795894e-2
        y = y * r + 1.6666665459e-1
        y = y * r + 5.0000001201e-1
        y = y * (r * r) + r + 1
        let ni = unsafeBitCast(t, to: SIMD16<UInt32>.self) &- unsafeBitCast(V16(repeating: magic), to: SIMD16<UInt32>.self)
        let pow2 = unsafeBitCast((ni &+ 127) &<< 23, to: V16.self)
        var out = y * pow2
        out.replace(with: 0, where: x .< lo)
        return out
    }

    /// The largest element; -inf for an empty row. NaNs are ignored.
    static func max(_ p: UnsafeBufferPointer<Float>) -> Float {
        guard let base = p.baseAddress, p.count > 0 else { return -.infinity }
        let n = p.count
        var acc = V16(repeating: -.infinity)
        var i = 0
        while i + 16 <= n {
            acc = pointwiseMax(acc, load(base, i))
            i += 16
        }
        var m = acc.max()
        while i < n {
            if base[i] > m { m = base[i] }
            i += 1
        }
        return m
    }

    /// Σ exp(x − m), accumulated in float lanes like torch's vectorised softmax.
    static func sumExp(_ p: UnsafeBufferPointer<Float>, minus m: Float) -> Float {
        guard let base = p.baseAddress, p.count > 0 else { return 0 }
        let n = p.count
        let mv = V16(repeating: m)
        var acc = V16(repeating: 0)
        var i = 0
        while i + 16 <= n {
            acc += exp(load(base, i) - mv)
            i += 16
        }
        var tail = V16(repeating: -.infinity)
        var j = 0
        while i < n {
            tail[j] = base[i] - m
            i += 1
            j += 1
        }
        acc += exp(tail)
        return acc.sum()
    }

    /// log Σ exp(x), computed as max + log Σ exp(x − max).
    static func logSumExp(_ p: UnsafeBufferPointer<Float>) -> Float {
        let m = max(p)
        if m == -.infinity || !m.isFinite { return m }
        return m + LibM.ln(sumExp(p, minus: m))
    }

    /// In-place log-softmax: x − max − log Σ exp(x − max), the order torch's CPU kernel uses.
    static func logSoftmax(_ p: UnsafeMutableBufferPointer<Float>) {
        guard let base = p.baseAddress, p.count > 0 else { return }
        let ro = UnsafeBufferPointer(p)
        let m = max(ro)
        let logSum = LibM.ln(sumExp(ro, minus: m))
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
        for i in 0..<p.count where base[i] == m { return i }
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

