import LMTensor
import Testing

/// `Attention.block` (two GEMMs and a row softmax) against `Attention.single` row by row, with
/// strided rows, an additive bias, and lengths around the vector width and the block threshold.
@Suite struct BlockAttentionTests {
    @Test(arguments: [1, 5, 16, 17, 64, 130])
    func blockEqualsRowByRow(length: Int) {
        var seed: UInt64 = 0x9E37_79B9 &+ UInt64(length)
        func random() -> Float {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: seed >> 11) % 2001 - 1000) / 250
        }
        let headDim = 8, stride = 3 * headDim + 5, queries = length
        let qkv = (0..<(length * stride)).map { _ in random() }
        let biasTable = (0..<(queries * length)).map { _ in random() }
        let scale: Float = 0.35
        for withBias in [false, true] {
            var expected = [Float](repeating: 0, count: queries * headDim)
            var got = [Float](repeating: .nan, count: queries * headDim)
            var scores = [Float](repeating: 0, count: queries * length)
            qkv.withUnsafeBufferPointer { m in
                let q = m.baseAddress!, k = q + headDim, v = q + 2 * headDim
                biasTable.withUnsafeBufferPointer { b in
                    for i in 0..<queries {
                        expected.withUnsafeMutableBufferPointer { out in
                            scores.withUnsafeMutableBufferPointer { s in
                                Attention.single(q: q + i * stride, headDim: headDim, scale: scale, keys: k, values: v,
                                                 stride: stride, rows: nil, length: length,
                                                 bias: withBias ? b.baseAddress! + i * length : nil,
                                                 scores: s.baseAddress!, out: out.baseAddress! + i * headDim)
                            }
                        }
                    }
                    let fill: ((Int, UnsafeMutablePointer<Float>) -> Void)? = withBias
                        ? { i, row in row.update(from: b.baseAddress! + i * length, count: length) } : nil
                    got.withUnsafeMutableBufferPointer { out in
                        scores.withUnsafeMutableBufferPointer { s in
                            Attention.block(q: q, qStride: stride, queries: queries, headDim: headDim, scale: scale,
                                            keys: k, values: v, stride: stride, length: length, bias: fill,
                                            scores: s.baseAddress!, out: out.baseAddress!, outStride: headDim,
                                            threads: 2)
                        }
                    }
                }
            }
            let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-5, "length \(length), bias \(withBias): max |diff| \(worst)")
        }
    }
}
