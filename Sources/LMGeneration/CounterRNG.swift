/// A counter-based random number generator: every draw is a pure function of (seed, stream, counter),
/// so sampling is reproducible across runs, thread counts and batch compositions (a row's draws do not
/// depend on which other rows exist or were dropped).
///
/// Each word is spread by a distinct odd constant and folded in through SplitMix64's finaliser
/// (Stafford's Mix13), so neighbouring streams and counters give unrelated bits.
package struct CounterRNG: Sendable, Equatable {
    package let seed: UInt64

    package init(seed: UInt64) { self.seed = seed }

    @inline(__always)
    static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64 random bits for (`stream`, `counter`).
    @inline(__always)
    package func bits(stream: UInt64, counter: UInt64) -> UInt64 {
        let a = CounterRNG.mix(seed &+ 0x9E37_79B9_7F4A_7C15)
        let b = CounterRNG.mix(a ^ (stream &* 0xD1B5_4A32_D192_ED03))
        return CounterRNG.mix(b ^ (counter &* 0x8CB9_2BA7_2F3D_8DD7) &+ 0x9E37_79B9_7F4A_7C15)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inline(__always)
    package func uniform(stream: UInt64, counter: UInt64) -> Double {
        Double(bits(stream: stream, counter: counter) >> 11) * 0x1.0p-53
    }

    /// A uniform double in (0, 1): never exactly 0, so its logarithm is finite.
    @inline(__always)
    package func openUniform(stream: UInt64, counter: UInt64) -> Double {
        (Double(bits(stream: stream, counter: counter) >> 11) + 0.5) * 0x1.0p-53
    }
}
