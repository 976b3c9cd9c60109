import Foundation
import LMTensor
import Testing

/// The vector exp-based activations (16 lanes at a time, a scalar libm tail) against the exact
/// formulas in double precision, over a range that covers both signs, the flat tails and the
/// clamp of the exp argument. Tolerance: 4 float32 ulps of the result, plus what computing the exp
/// argument a in float32 may cost (up to 4 roundings of a: |a|·2^-22 relative, which torch's
/// float32 kernels pay too), or 1e-30 absolute near 0.
@Suite struct VectorActivationTests {
    /// 1,000 values in [-40, 40] plus extremes; 1,003 is not a multiple of 16, so both paths run.
    static let inputs: [Float] = (0..<1000).map { Float(-40 + 80 * Double($0) / 999) } + [-100, 100, 0]

    /// `exact` gives the value and the argument of its exp.
    static func check(_ activation: Activation, _ exact: (Double) -> (value: Double, expArgument: Double)) {
        var x = inputs
        x.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: $0.count) }
        for (v, got) in zip(inputs, x) {
            let (want, argument) = exact(Double(v))
            let tolerance = max(4 * Double(Float(want).ulp) + abs(want * argument) * 0x1p-22, 1e-30)
            #expect(abs(Double(got) - want) <= tolerance, "\(activation) at \(v): \(got) vs \(want)")
        }
    }

    static func sigmoidWeighted(_ x: Double, _ s: Double) -> (Double, Double) {
        (x / (1 + Foundation.exp(-s * x)), -s * x)
    }

    @Test func silu() { Self.check(.silu) { Self.sigmoidWeighted($0, 1) } }
    @Test func swish() { Self.check(.swish) { Self.sigmoidWeighted($0, 1) } }
    @Test func quickGelu() { Self.check(.quickGelu) { Self.sigmoidWeighted($0, 1.702) } }
    @Test func sigmoid() { Self.check(.sigmoid) { (1 / (1 + Foundation.exp(-$0)), -$0) } }
    @Test func geluNew() {
        Self.check(.geluNew) { x in
            // 0.5·x·(1 + tanh(u)) = x / (1 + exp(−2u)); the tanh form cancels to nothing for x < -5
            // even in double.
            let u = 0.7978845608028654 * (x + 0.044715 * x * x * x)
            return (x / (1 + Foundation.exp(-2 * u)), -2 * u)
        }
    }
}
