/// Vectorised reductions and element-wise helpers used by the other kernels.
public enum Reduce {
    @inlinable
    public static func max(_ x: UnsafePointer<Float>, count n: Int) -> Float {
        var i = 0
        var m16 = SIMD16<Float>(repeating: -.infinity)
        while i + 16 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            m16 = pointwiseMax(m16, v)
            i += 16
        }
        var m = m16.max()
        while i < n {
            m = Swift.max(m, x[i])
            i += 1
        }
        return m
    }

    @inlinable
    public static func sum(_ x: UnsafePointer<Float>, count n: Int) -> Float {
        var i = 0
        var s16 = SIMD16<Float>(repeating: 0)
        while i + 16 <= n {
            s16 += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            i += 16
        }
        var s = s16.sum()
        while i < n {
            s += x[i]
            i += 1
        }
        return s
    }

    /// Σ x·y.
    @inlinable
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) -> Float {
        var i = 0
        var s16 = SIMD16<Float>(repeating: 0)
        while i + 16 <= n {
            let a = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
            s16.addProduct(a, b)
            i += 16
        }
        var s = s16.sum()
        while i < n {
            s += x[i] * y[i]
            i += 1
        }
        return s
    }
}

/// Element-wise scaling and accumulation.
public enum Scale {
    /// x *= factor.
    @inlinable
    public static func inPlace(_ x: UnsafeMutablePointer<Float>, count n: Int, by factor: Float) {
        var i = 0
        while i + 16 <= n {
            let raw = UnsafeMutableRawPointer(x + i)
            raw.storeBytes(of: raw.loadUnaligned(as: SIMD16<Float>.self) * factor, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n {
            x[i] *= factor
            i += 1
        }
    }

    /// y += alpha · x.
    @inlinable
    public static func accumulate(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
                                  count n: Int, alpha: Float = 1) {
        var i = 0
        while i + 16 <= n {
            let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            let raw = UnsafeMutableRawPointer(y + i)
            var yv = raw.loadUnaligned(as: SIMD16<Float>.self)
            yv.addProduct(xv, SIMD16(repeating: alpha))
            raw.storeBytes(of: yv, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n {
            y[i] += alpha * x[i]
            i += 1
        }
    }

    /// y += x.
    @inlinable
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        while i + 16 <= n {
            let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            let raw = UnsafeMutableRawPointer(y + i)
            raw.storeBytes(of: raw.loadUnaligned(as: SIMD16<Float>.self) + xv, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n {
            y[i] += x[i]
            i += 1
        }
    }
}
