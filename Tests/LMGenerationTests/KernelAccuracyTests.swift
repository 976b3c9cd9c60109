import Foundation
import LMGeneration
import Testing

/// The vectorised kernels behind log-softmax and top-k, checked through the public processors on
/// vocabulary-sized rows against double-precision and sorting references.
@Suite("Search kernels at vocabulary scale")
struct KernelAccuracyTests {
    static func row(_ n: Int, seed: UInt64, spread: Float) -> [Float] {
        let rng = CounterRNG(seed: seed)
        return (0..<n).map { i in Float(rng.uniform(stream: 1, counter: UInt64(i)) * 2 - 1) * spread }
    }

    static func reference(_ x: [Float]) -> [Double] {
        let m = Double(x.max() ?? 0)
        let s = x.reduce(0.0) { $0 + exp(Double($1) - m) }
        return x.map { Double($0) - m - log(s) }
    }

    /// Rows of OPUS-MT size with wide spans (underflowing entries), -inf entries and odd lengths.
    @Test(arguments: [(58101, 8 as Float), (58101, 120), (17, 3), (1000, 60), (33, 0)])
    func logSoftmaxMatchesDoubleReference(n: Int, spread: Float) {
        var x = KernelAccuracyTests.row(n, seed: UInt64(n) &+ UInt64(spread), spread: spread)
        if n > 20 { x[3] = -.infinity; x[n - 2] = -.infinity }
        let expected = KernelAccuracyTests.reference(x)
        var y = x
        y.withUnsafeMutableBufferPointer { p in
            [0].withUnsafeBufferPointer { t in LogitNormalization().process(p, row: ProcessorRow(tokens: t, input: 0)) }
        }
        var worst = 0.0
        for i in 0..<n {
            if expected[i] == -.infinity {
                #expect(y[i] == -.infinity)
            } else {
                worst = max(worst, abs(Double(y[i]) - expected[i]) / max(1, abs(expected[i])))
            }
        }
        #expect(worst < 2e-6, "max relative error \(worst)")
    }

    @Test func allMinusInfinityRowStaysNonFinite() {
        var y = [Float](repeating: -.infinity, count: 40)
        y.withUnsafeMutableBufferPointer { p in
            [0].withUnsafeBufferPointer { t in LogitNormalization().process(p, row: ProcessorRow(tokens: t, input: 0)) }
        }
        #expect(y.allSatisfy { !$0.isFinite })  // torch gives NaN; no trap either way
    }

    /// Top-k threshold on a long row with many exact ties, against a full sort.
    @Test(arguments: [1, 5, 50, 300])
    func topKWarperMatchesSortReference(k: Int) throws {
        let x = KernelAccuracyTests.row(58101, seed: 9, spread: 4).map { ($0 * 8).rounded() / 8 }  // many ties
        var y = x
        var warper = try TopKLogitsWarper(topK: k)
        y.withUnsafeMutableBufferPointer { p in
            [0].withUnsafeBufferPointer { t in warper.process(p, row: ProcessorRow(tokens: t, input: 0)) }
        }
        let threshold = x.sorted(by: >)[k - 1]
        for i in x.indices {
            #expect(y[i] == (x[i] < threshold ? -.infinity : x[i]))
        }
    }
}
