import Foundation
import LMTensor
import Testing

/// Kernels on small literal tensors, against values computed by hand or with torch 2.13
/// (the expressions are quoted in the comments).
@Suite struct OpsTests {
    func close(_ a: [Float], _ b: [Float], _ tol: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tol }
    }

    @Test func linearMatchesHandComputation() {
        // x (2, 3) · W (2, 3)ᵀ + b
        let x = Tensor(shape: [2, 3], storage: [1, 2, 3, 4, 5, 6])
        let w = Tensor(shape: [2, 3], storage: [1, 0, -1, 0.5, 0.5, 0.5])
        let b = Tensor(shape: [2], storage: [10, -1])
        let y = MatMul.linear(x, weight: w, bias: b)
        #expect(y.shape == [2, 2])
        let expected: [Float] = [8, 2, 8, 6.5]
        #expect(close(y.storage, expected))
    }

    @Test func linearSingleRowUsesSameMathAsMany() {
        // M = 1 goes through gemv; it must agree with the gemm path.
        let w = Tensor(shape: [3, 4], storage: (0..<12).map { Float($0) * 0.1 - 0.5 })
        let x1 = Tensor(shape: [1, 4], storage: [0.3, -1, 2, 0.25])
        let x2 = Tensor(shape: [2, 4], storage: x1.storage + x1.storage)
        let y1 = MatMul.linear(x1, weight: w, bias: nil)
        let y2 = MatMul.linear(x2, weight: w, bias: nil)
        #expect(close(y1.storage, Array(y2.storage[0..<3])))
        #expect(close(y1.storage, Array(y2.storage[3..<6])))
    }

    @Test func softmaxRows() {
        let t = Tensor(shape: [2, 3], storage: [1, 2, 3, 0, 0, 0])
        let s = Softmax.softmax(t)
        // torch.softmax(tensor([1., 2., 3.]), 0) = [0.09003057, 0.24472847, 0.66524096]
        let expected: [Float] = [0.09003057, 0.24472847, 0.66524096, 1.0 / 3, 1.0 / 3, 1.0 / 3]
        #expect(close(s.storage, expected))
    }

    @Test func softmaxOfFullyMaskedRowIsZeroNotNaN() {
        let t = Tensor(shape: [1, 2], storage: [-.infinity, -.infinity])
        #expect(Softmax.softmax(t).storage == [0, 0])
    }

    @Test func logSoftmaxIsLogOfSoftmax() {
        let t = Tensor(shape: [1, 4], storage: [0.5, -2, 3, 1])
        let ls = Softmax.logSoftmax(t).storage
        let s = Softmax.softmax(t).storage
        #expect(close(ls, s.map { logf($0) }))
    }

    @Test func layerNormMatchesTorch() {
        // torch.nn.functional.layer_norm(tensor([[1., 2., 4.]]), (3,), weight=[1, 2, 0.5],
        //     bias=[0, 1, -1], eps=1e-5) = [[-1.06904137, 0.46547943, -0.33184910]] (torch 2.13)
        let x = Tensor(shape: [1, 3], storage: [1, 2, 4])
        let y = LayerNorm.forward(x, gamma: Tensor(shape: [3], storage: [1, 2, 0.5]),
                                  beta: Tensor(shape: [3], storage: [0, 1, -1]), eps: 1e-5)
        #expect(close(y.storage, [-1.06904137, 0.46547943, -0.33184910], 1e-5))
    }

    @Test func rmsNormMatchesT5LayerNorm() {
        // x / sqrt(mean(x²) + eps) · w: mean([1, 4, 9]) = 14/3
        let x = Tensor(shape: [1, 3], storage: [1, -2, 3])
        let y = RMSNorm.forward(x, gamma: Tensor(shape: [3], storage: [1, 1, 2]), eps: 1e-6)
        let r = Float(14.0 / 3.0 + 1e-6).squareRoot()
        let expected: [Float] = [1 / r, -2 / r, 6 / r]
        #expect(close(y.storage, expected))
    }

    @Test func activationsMatchTorch() {
        let x = Tensor(shape: [4], storage: [-2, -0.5, 0.5, 3])
        // torch.nn.functional.gelu(x) (erf form)
        #expect(close(Activation.gelu(x).storage, [-0.04550028, -0.15426877, 0.34573123, 2.99594975]))
        // torch.nn.functional.gelu(x, approximate="tanh")
        #expect(close(Activation.geluNew(x).storage, [-0.04540229, -0.15428600, 0.34571400, 2.99636269]))
        // torch.nn.functional.silu(x)
        #expect(close(Activation.silu(x).storage, [-0.23840584, -0.18877034, 0.31122968, 2.85772252]))
        #expect(Activation.relu(x).storage == [0, 0, 0.5, 3])
        // x * torch.sigmoid(1.702 * x)
        #expect(close(Activation.quickGelu(x).storage, [-0.06434137, -0.14961156, 0.35038844, 2.98192883]))
    }

    @Test func unknownActivationNameIsNotAccepted() {
        #expect(Activation(rawValue: "gelu_10") == nil)
        #expect(Activation(rawValue: "swish") == .swish)
    }

    @Test func marianSinusoidalHalves() {
        // Row p: sin(p/10000^(2i/d)) for i < d/2, then cos of the same angles.
        let table = Sinusoidal.marian(positions: 3, dim: 4)
        let row2 = Array(table.array[8..<12])
        let expected: [Float] = [Float(sin(2.0)), Float(sin(2.0 / 100)), Float(cos(2.0)), Float(cos(2.0 / 100))]
        #expect(close(row2, expected, 1e-6))
        #expect(Array(table.array[0..<4]) == [0, 0, 1, 1])
    }

    @Test func fairseqSinusoidalZeroesPaddingRow() {
        let table = Sinusoidal.fairseq(positions: 4, dim: 4, paddingIndex: 1)
        #expect(Array(table.array[4..<8]) == [0, 0, 0, 0])
        // Row 2: [sin(2), sin(2e-4), cos(2), cos(2e-4)] (half = 2, freq = exp(-i·ln(1e4)/(half-1)))
        let expected: [Float] = [Float(sin(2.0)), Float(sin(2e-4)), Float(cos(2.0)), Float(cos(2e-4))]
        #expect(close(Array(table.array[8..<12]), expected, 1e-6))
    }

    @Test func attentionWithIndexedRowsEqualsContiguous() {
        // Two keys/values of dim 2 stored in reverse order and addressed through row indices.
        let q: [Float] = [1, 0]
        let keys: [Float] = [0, 1, 1, 0]     // rows: k1, k0
        let values: [Float] = [5, 6, 1, 2]   // rows: v1, v0
        let rows: [Int32] = [1, 0]
        var out = [Float](repeating: 0, count: 2)
        var scores = [Float](repeating: 0, count: 2)
        q.withUnsafeBufferPointer { qp in keys.withUnsafeBufferPointer { kp in values.withUnsafeBufferPointer { vp in
            rows.withUnsafeBufferPointer { rp in
                Attention.single(q: qp.baseAddress!, headDim: 2, scale: 1, keys: kp.baseAddress!,
                                 values: vp.baseAddress!, stride: 2, rows: rp.baseAddress!, length: 2, bias: nil,
                                 scores: &scores, out: &out)
            }
        }}}
        // scores [q·k0, q·k1] = [1, 0] → p = [e/(e+1), 1/(e+1)]
        let p0 = Float(M_E / (M_E + 1)), p1 = 1 - p0
        let expected: [Float] = [p0 * 1 + p1 * 5, p0 * 2 + p1 * 6]
        #expect(close(out, expected))
    }

    @Test func parallelChunksCoverEveryIndexOnce() {
        var hits = [Int](repeating: 0, count: 1000)
        hits.withUnsafeMutableBufferPointer { h in
            let base = UncheckedSendable(h.baseAddress!)
            Parallel.chunks(1000, threads: 4, minimumPerThread: 10) { range in
                for i in range { base.value[i] += 1 }
            }
        }
        #expect(hits.allSatisfy { $0 == 1 })
    }
}

/// BLAS is loaded with dlopen; on a machine with OpenBLAS installed it must be OpenBLAS, not
/// the portable fallback, and both must agree.
@Suite struct BLASLoadingTests {
    @Test func openBLASIsLoaded() {
        #expect(BLAS.coreName != "portable Swift", "\(BLAS.status)")
        #expect(BLAS.status.hasPrefix("OpenBLAS ("))
    }

    @Test func portableLoopsAgreeWithOpenBLAS() {
        let m = 3, n = 5, k = 7
        let a = (0..<(m * k)).map { Float($0 % 5) * 0.25 - 0.5 }
        let b = (0..<(n * k)).map { Float($0 % 7) * 0.125 - 0.3 }
        var viaBLAS = [Float](repeating: 0, count: m * n), viaPortable = viaBLAS
        var gemvBLAS = [Float](repeating: 0, count: n), gemvPortable = gemvBLAS
        BLAS.gemmTransposedB(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: &viaBLAS, ldc: n)
        PortableBLAS.gemmTransposedB(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: &viaPortable, ldc: n)
        BLAS.gemv(m: n, n: k, a: b, lda: k, x: a, y: &gemvBLAS)
        PortableBLAS.gemv(m: n, n: k, a: b, lda: k, x: a, y: &gemvPortable)
        #expect(zip(viaBLAS, viaPortable).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(zip(gemvBLAS, gemvPortable).allSatisfy { abs($0 - $1) < 1e-5 })
    }
}
