// Follows transformers' TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper and TypicalLogitsWarper
// (v5.23): the processors HF adds only when sampling.

import LMTensor

/// Divides the scores by the temperature.
package struct TemperatureLogitsWarper: LogitsProcessor {
    package let temperature: Float

    package init(temperature: Double) throws {
        guard temperature > 0, temperature.isFinite else {
            throw GenerationError.invalidArgument(
                "temperature must be a strictly positive number, got \(temperature) (use do_sample=false for greedy)")
        }
        self.temperature = Float(temperature)
    }

    package func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        RowMath.divide(scores, by: temperature)
    }
}

/// Keeps the `topK` highest scores (and every score tied with the k-th), sets the others to -inf.
package struct TopKLogitsWarper: LogitsProcessor {
    package let topK: Int
    private var selector = TopKSelector()

    package init(topK: Int, minTokensToKeep: Int = 1) throws {
        guard topK > 0 else {
            throw GenerationError.invalidArgument("top_k must be a strictly positive integer, got \(topK)")
        }
        self.topK = Swift.max(topK, minTokensToKeep)
    }

    package mutating func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        let k = Swift.min(topK, scores.count)
        guard k > 0, k < scores.count else { return }
        selector.reset(k: k)
        selector.scan(UnsafeBufferPointer(scores))
        let threshold = selector.threshold
        for i in 0..<scores.count where scores[i] < threshold { scores[i] = -.infinity }
    }
}

/// Keeps the smallest set of most probable tokens whose probabilities add up to more than `topP`.
package struct TopPLogitsWarper: LogitsProcessor {
    package let topP: Double
    package let minTokensToKeep: Int

    package init(topP: Double, minTokensToKeep: Int = 1) throws {
        guard topP >= 0, topP <= 1 else {
            throw GenerationError.invalidArgument("top_p must be a number in [0, 1], got \(topP)")
        }
        guard minTokensToKeep >= 1 else {
            throw GenerationError.invalidArgument("min_tokens_to_keep must be a positive integer")
        }
        self.topP = topP
        self.minTokensToKeep = minTokensToKeep
    }

    package func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        // -inf entries have probability 0: they sort first and are removed anyway, so only finite
        // entries are sorted (usually the few dozen a top-k warper left).
        var order = WarperSupport.finiteIndices(scores)
        order.sort { scores[$0] < scores[$1] }
        let probs = WarperSupport.softmax(order.map { scores[$0] })
        let cut = Float(1 - topP)
        var cumulative: Double = 0
        let keepFrom = order.count - minTokensToKeep
        for (rank, i) in order.enumerated() {
            cumulative += Double(probs[rank])
            if Float(cumulative) <= cut && rank < keepFrom { scores[i] = -.infinity }
        }
    }
}

/// Locally typical sampling: keeps the tokens whose information is closest to the row's entropy,
/// up to probability mass `mass`.
package struct TypicalLogitsWarper: LogitsProcessor {
    package let mass: Double
    package let minTokensToKeep: Int

    package init(mass: Double, minTokensToKeep: Int = 1) throws {
        guard mass > 0, mass < 1 else {
            throw GenerationError.invalidArgument("typical_p must be a number in (0, 1), got \(mass)")
        }
        guard minTokensToKeep >= 1 else {
            throw GenerationError.invalidArgument("min_tokens_to_keep must be a positive integer")
        }
        self.mass = mass
        self.minTokensToKeep = minTokensToKeep
    }

    package func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        let finite = WarperSupport.finiteIndices(scores)
        guard !finite.isEmpty else { return }
        let logZ = RowMath.logSumExp(UnsafeBufferPointer(scores))
        var entropy: Double = 0
        for i in finite {
            let lp = scores[i] - logZ
            entropy -= Double(lp) * Double(LibM.expd(Double(lp)))
        }
        let ent = Float(entropy)
        let shifted = finite.map { abs(-(scores[$0] - logZ) - ent) }
        let order = finite.indices.sorted { shifted[$0] < shifted[$1] }
        let probs = WarperSupport.softmax(order.map { scores[finite[$0]] })
        var cumulative: Double = 0
        var lastInd = 0
        for p in probs {
            cumulative += Double(p)
            if Float(cumulative) < Float(mass) { lastInd += 1 }
        }
        // Past the finite entries HF's threshold is +inf (the -inf entries' shifted score): nothing is removed.
        guard lastInd < order.count else { return }
        let threshold = shifted[order[lastInd]]
        for (rank, j) in order.enumerated() where rank >= minTokensToKeep && shifted[j] > threshold {
            scores[finite[j]] = -.infinity
        }
    }
}

enum WarperSupport {
    static func finiteIndices(_ scores: UnsafeMutableBufferPointer<Float>) -> [Int] {
        var out: [Int] = []
        for i in 0..<scores.count where scores[i] > -.infinity { out.append(i) }
        return out
    }

    /// Softmax of a short list, in float like torch.
    static func softmax(_ x: [Float]) -> [Float] {
        guard let m = x.max() else { return [] }
        var e = x.map { Float(LibM.expd(Double($0 - m))) }
        let s = e.reduce(0, +)
        for i in e.indices { e[i] /= s }
        return e
    }
}
