/// Vectorised reductions and element-wise helpers used by the other kernels.
/// Shapes: flat buffers of `count` floats; results are scalars or in place.
package enum Reduce {
    @inlinable
    package static func max(_ x: UnsafePointer<Float>, count n: Int) -> Float {
        // Lane-wise ternaries: SIMD's pointwiseMax and max() compile to per-lane library calls.
        var i = 0
        var m = SIMD8<Float>(repeating: -.infinity)
        while i + 8 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            m = SIMD8(v[0] > m[0] ? v[0] : m[0], v[1] > m[1] ? v[1] : m[1], v[2] > m[2] ? v[2] : m[2],
                      v[3] > m[3] ? v[3] : m[3], v[4] > m[4] ? v[4] : m[4], v[5] > m[5] ? v[5] : m[5],
                      v[6] > m[6] ? v[6] : m[6], v[7] > m[7] ? v[7] : m[7])
            i += 8
        }
        let a = m[0] > m[1] ? m[0] : m[1], b = m[2] > m[3] ? m[2] : m[3]
        let c = m[4] > m[5] ? m[4] : m[5], d = m[6] > m[7] ? m[6] : m[7]
        let ab = a > b ? a : b, cd = c > d ? c : d
        var result = ab > cd ? ab : cd
        while i < n {
            if x[i] > result { result = x[i] }
            i += 1
        }
        return result
    }

    @inlinable
    package static func sum(_ x: UnsafePointer<Float>, count n: Int) -> Float {
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
    package static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) -> Float {
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
package enum Scale {
    /// x *= factor.
    @inlinable
    package static func inPlace(_ x: UnsafeMutablePointer<Float>, count n: Int, by factor: Float) {
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
    package static func accumulate(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
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
    package static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
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
