import LMTensor
import Testing

/// The packed float32 GEMM against a float64 reference dot product: every row count of a register
/// tile (1-6) and past it, output counts around the 16-wide panel (partial last panels), odd inner
/// sizes, with and without bias, on one thread and on several.
@Suite struct PackedMatrixTests {
    static func random(_ count: Int, seed: UInt64) -> [Float] {
        var s = seed
        return (0..<count).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: s >> 11) % 2001 - 1000) / 1000
        }
    }

    @Test(arguments: [(1, 16, 8), (2, 17, 3), (3, 31, 64), (4, 33, 5), (5, 15, 129), (6, 48, 512),
                      (7, 1, 7), (13, 100, 33), (40, 64, 2048), (130, 70, 40)])
    func matchesReference(m: Int, n: Int, k: Int) throws {
        guard Kernels.packedFloat32 != nil else { return }  // no AVX2+FMA: OpenBLAS serves every layer
        let w = Self.random(n * k, seed: UInt64(n * 7919 + k))
        let x = Self.random(m * k, seed: UInt64(m * 31 + k))
        let bias = Self.random(n, seed: 99)
        let packed = try #require(w.withUnsafeBufferPointer {
            PackedMatrix(weight: $0.baseAddress!, outFeatures: n, inFeatures: k)
        })
        var unpacked = [Float](repeating: .nan, count: n * k)
        unpacked.withUnsafeMutableBufferPointer { packed.unpack(into: $0.baseAddress!) }
        #expect(unpacked == w)
        let saved = Kernels.threads
        defer { Kernels.threads = saved }
        for threads in [1, 3] {
            Kernels.threads = threads
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
                var worst = 0.0
                for r in 0..<m {
                    for c in 0..<n {
                        var sum = withBias ? Double(bias[c]) : 0
                        for i in 0..<k { sum += Double(x[r * k + i]) * Double(w[c * k + i]) }
                        // float32 accumulation over k terms of magnitude <= 1: error well below k * 2^-23.
                        worst = max(worst, abs(Double(y[r * n + c]) - sum) / Double(max(1, k)).squareRoot())
                    }
                }
                #expect(worst < 2e-6, "m \(m) n \(n) k \(k) threads \(threads) bias \(withBias): \(worst)")
            }
        }
    }

    /// Packing in place (the lm head) gives the same matrix as packing a copy: the same rows back,
    /// the same products, the same gathered embedding rows, for full and partial last panels.
    @Test(arguments: [(32, 24), (37, 24), (5, 7)])
    func inPlaceEqualsCopy(n: Int, k: Int) throws {
        guard Kernels.packedFloat32 != nil else { return }
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
