import LMTensor
import Testing

/// The packed GEMMs against a float64 reference dot product: every row count of a register tile
/// (1-6 for AVX2, 1-12 for AVX-512 and the int8 products) and past it, output counts around the 16-wide panel (partial last panels), odd inner
/// sizes, with and without bias, on one thread and on several, for each weight type. Reduced types
/// are checked twice: the stored weights against the originals (round-to-nearest bounds), and the
/// product against the reference over the stored (dequantized) weights.
@Suite(.serialized) struct PackedMatrixTests {
    static func random(_ count: Int, seed: UInt64) -> [Float] {
        var s = seed
        return (0..<count).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: s >> 11) % 2001 - 1000) / 1000
        }
    }

    @Test(arguments: [(1, 16, 8), (2, 17, 3), (3, 31, 64), (4, 33, 5), (5, 15, 129), (6, 48, 512),
                      (7, 1, 7), (8, 18, 12), (11, 20, 9), (12, 16, 16), (13, 100, 33), (40, 64, 2048),
                      (130, 70, 40)])
    func matchesReference(m: Int, n: Int, k: Int) throws {
        for type in PackedType.allCases { try matchesReference(m: m, n: n, k: k, type: type) }
    }

    func matchesReference(m: Int, n: Int, k: Int, type: PackedType) throws {
        guard Kernels.packed else { return }  // no AVX2+FMA+F16C: OpenBLAS serves every layer
        let original = Self.random(n * k, seed: UInt64(n * 7919 + k))
        let x = Self.random(m * k, seed: UInt64(m * 31 + k))
        let bias = Self.random(n, seed: 99)
        let packed = try #require(original.withUnsafeBufferPointer {
            PackedMatrix(weight: $0.baseAddress!, outFeatures: n, inFeatures: k, type: type)
        })
        // int8Compute is stored as int8 where the integer kernels do not run (or K > 65536).
        #expect(packed.type == (type == .int8Compute && !Kernels.integerProducts ? .int8 : type))
        var w = [Float](repeating: .nan, count: n * k)
        w.withUnsafeMutableBufferPointer { packed.unpack(into: $0.baseAddress!) }
        switch type {
        case .float32:
            #expect(w == original)
        case .float16:
            // Half precision keeps 11 significant bits: relative error <= 2^-11 (normal range).
            for i in 0..<(n * k) where abs(original[i]) > 1e-4 {
                #expect(abs(w[i] - original[i]) <= abs(original[i]) * 0x1p-11, "float16 weight \(i)")
            }
        case .int8, .int8Compute:
            for r in 0..<n {
                let row = original[(r * k)..<((r + 1) * k)]
                let scale = (row.map(abs).max() ?? 0) / 127
                for i in 0..<k {
                    #expect(abs(w[r * k + i] - original[r * k + i]) <= scale * 0.5001, "int8 weight \(r),\(i)")
                }
            }
        }
        let saved = Kernels.threads, savedWide = Kernels.avx512
        defer {
            Kernels.threads = saved
            Kernels.avx512 = savedWide
        }
        // Both float kernels where the CPU has AVX-512F (the AVX2 one is the fallback of every CPU).
        for (threads, wide) in [(1, false), (3, false), (1, true), (3, true)] where !wide || Kernels.avx512Available {
            Kernels.threads = threads
            Kernels.avx512 = wide
            for withBias in [false, true] {
                var y = [Float](repeating: .nan, count: m * n)
                x.withUnsafeBufferPointer { xp in
                    bias.withUnsafeBufferPointer { bp in
                        y.withUnsafeMutableBufferPointer { yp in
                            packed.linear(xp.baseAddress!, rows: m, bias: withBias ? bp.baseAddress! : nil,
                                          into: yp.baseAddress!)
                        }
                    }
                }
                // Higham's bound for a float32 sum of k + 1 products and the bias, in any order:
                // |error| <= gamma(k + 2) * sum |terms|, gamma(j) = j u / (1 - j u), u = 2^-24. A wrong
                // index or a lost term is off by a whole term (~0.25 here), far outside it.
                var worst = 0.0
                for r in 0..<m {
                    for c in 0..<n {
                        var sum = withBias ? Double(bias[c]) : 0
                        var magnitude = withBias ? abs(Double(bias[c])) : 0
                        for i in 0..<k {
                            let term = Double(x[r * k + i]) * Double(w[c * k + i])
                            sum += term
                            magnitude += abs(term)
                        }
                        let u = 0x1p-24, j = Double(k + 2)
                        let bound = j * u / (1 - j * u) * magnitude
                        worst = max(worst, abs(Double(y[r * n + c]) - sum) / max(bound, .leastNormalMagnitude))
                    }
                }
                if packed.type == .int8Compute {
                    try expectIntegerProduct(y, x: x, w: w, bias: withBias ? bias : nil, m: m, n: n, k: k,
                                             note: "threads \(threads) bias \(withBias)")
                    continue
                }
                #expect(worst <= 1, "\(type) m \(m) n \(n) k \(k) threads \(threads) avx512 \(wide) bias \(withBias): \(worst) of the bound")
            }
        }
    }

    /// int8Compute products against the integer arithmetic they must do: each row of x quantized
    /// as the kernel documents (q = round-to-nearest-even(x · (127 / max|x|)) in float32, clamped
    /// to ±127), the int8 weights recovered from the unpacked ones (w / scale, exact), the dot
    /// product summed exactly in integers, then scaled. Only the last float32 steps (the int32 sum
    /// to float, two products and the bias, and the scale recovered from the unpacked weights) may round: 8 ulps of their magnitude.
    func expectIntegerProduct(_ y: [Float], x: [Float], w: [Float], bias: [Float]?, m: Int, n: Int, k: Int,
                              note: String) throws {
        var weightScales = [Float](repeating: 0, count: n)
        for c in 0..<n { weightScales[c] = (w[(c * k)..<((c + 1) * k)].map(abs).max() ?? 0) / 127 }
        var worst = 0.0
        for r in 0..<m {
            let row = x[(r * k)..<((r + 1) * k)]
            let amax = row.map(abs).max() ?? 0
            let inverse: Float = amax > 0 ? 127 / amax : 0
            let q = row.map { max(-127, min(127, ($0 * inverse).rounded(.toNearestOrEven))) }
            let rowScale = Double(amax / 127)
            for c in 0..<n {
                var sum = 0
                for i in 0..<k {
                    let wq = weightScales[c] > 0 ? (w[c * k + i] / weightScales[c]).rounded() : 0
                    sum += Int(q[i]) * Int(wq)
                }
                let product = Double(sum) * rowScale * Double(weightScales[c])
                let expected = product + Double(bias?[c] ?? 0)
                let bound = 8 * 0x1p-24 * (abs(product) + abs(Double(bias?[c] ?? 0))) + 1e-30
                worst = max(worst, abs(Double(y[r * n + c]) - expected) / bound)
            }
        }
        #expect(worst <= 1, "int8Compute m \(m) n \(n) k \(k) \(note): \(worst) of the bound")
    }

    /// Packing in place (the lm head) gives the same matrix as packing a copy: the same rows back,
    /// the same products, the same gathered embedding rows, for full and partial last panels.
    @Test(arguments: [(32, 24), (37, 24), (5, 7)])
    func inPlaceEqualsCopy(n: Int, k: Int) throws {
        guard Kernels.packed else { return }
        let w = Self.random(n * k, seed: UInt64(n + 1000 * k))
        let copy = try #require(w.withUnsafeBufferPointer {
            PackedMatrix(weight: $0.baseAddress!, outFeatures: n, inFeatures: k)
        })
        let buffer = FloatBuffer(w)
        let inPlace = try #require(PackedMatrix(packingInPlace: buffer, outFeatures: n, inFeatures: k))
        var back = [Float](repeating: .nan, count: n * k)
        back.withUnsafeMutableBufferPointer { inPlace.unpack(into: $0.baseAddress!) }
        #expect(back == w)
        let m = 7
        let x = Self.random(m * k, seed: 5)
        var y1 = [Float](repeating: .nan, count: m * n), y2 = y1
        x.withUnsafeBufferPointer { xp in
            y1.withUnsafeMutableBufferPointer { copy.linear(xp.baseAddress!, rows: m, bias: nil, into: $0.baseAddress!) }
            y2.withUnsafeMutableBufferPointer { inPlace.linear(xp.baseAddress!, rows: m, bias: nil, into: $0.baseAddress!) }
        }
        #expect(y1 == y2)
        let ids: [Int32] = [0, Int32(n - 1), Int32(n / 2), 0]
        var rows = [Float](repeating: .nan, count: ids.count * k)
        ids.withUnsafeBufferPointer { idp in
            rows.withUnsafeMutableBufferPointer { inPlace.gatherRows(idp, scale: 2, into: $0.baseAddress!) }
        }
        for (i, id) in ids.enumerated() {
            #expect(Array(rows[(i * k)..<((i + 1) * k)]) == w[(Int(id) * k)..<((Int(id) + 1) * k)].map { $0 * 2 })
        }
    }
}
