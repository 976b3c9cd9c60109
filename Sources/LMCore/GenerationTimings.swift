/// Where one generate call's wall time went. The search's own work (processors, log-softmax,
/// top-k, hypothesis bookkeeping, streaming) is what remains of the decoding loop once the
/// decoder's forward steps and cache reorders are taken out.
public struct GenerationTimings: Sendable, Equatable {
    /// The encoder forward and the cross-attention setup, once per call.
    public var encoderSeconds: Double = 0
    /// Decoder forward steps (embeddings through lm head), all rows of all steps.
    public var decoderStepSeconds: Double = 0
    /// Cache reorders between steps (beam search follows its beams; finished inputs drop out).
    public var reorderSeconds: Double = 0
    /// The decoding loop minus decoder steps and reorders: search bookkeeping.
    public var searchSeconds: Double = 0
    /// Decoder steps run.
    public var steps: Int = 0

    public init() {}

    /// The share of a decoding step spent outside the model's forward: (search + reorder) /
    /// (search + reorder + decoder steps).
    public var bookkeepingShare: Double {
        let outside = searchSeconds + reorderSeconds
        let all = outside + decoderStepSeconds
        return all > 0 ? outside / all : 0
    }
}

/// Accumulates the decoder's share of a generate call; one per call, used from its calling thread.
final class StepClock {
    private let clock = ContinuousClock()
    var timings = GenerationTimings()

    /// Runs `body`, adding its wall time to the field at `keyPath`.
    func measure<R>(_ keyPath: WritableKeyPath<GenerationTimings, Double>, _ body: () throws -> R) rethrows -> R {
        let start = clock.now
        defer { timings[keyPath: keyPath] += Self.seconds(clock.now - start) }
        return try body()
    }

    /// Runs the decoding loop `body`: what it spends outside measured decoder calls is search time.
    func measureSearch<R>(_ body: () throws -> R) rethrows -> R {
        let start = clock.now
        let inside = timings.decoderStepSeconds + timings.reorderSeconds
        defer {
            let loop = Self.seconds(clock.now - start)
            let decoder = timings.decoderStepSeconds + timings.reorderSeconds - inside
            timings.searchSeconds += Swift.max(0, loop - decoder)
        }
        return try body()
    }

    static func seconds(_ d: Duration) -> Double {
        let (s, attoseconds) = d.components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
