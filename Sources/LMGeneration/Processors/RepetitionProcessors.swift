// Follows transformers' RepetitionPenaltyLogitsProcessor and EncoderRepetitionPenaltyLogitsProcessor (v5.23).

/// Penalises every token already in the row (decoder start token included): a negative score is
/// multiplied by the penalty, a positive one divided, once per distinct token.
package struct RepetitionPenaltyLogitsProcessor: LogitsProcessor {
    package let penalty: Float
    private var seen: [Bool] = []

    /// `penalty` must be > 0 (1 means no penalty).
    package init(penalty: Double) throws {
        guard penalty > 0, penalty.isFinite else {
            throw GenerationError.invalidArgument("repetition_penalty must be a positive number, got \(penalty)")
        }
        self.penalty = Float(penalty)
    }

    package mutating func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        if seen.count != scores.count { seen = [Bool](repeating: false, count: scores.count) }
        let p = penalty
        seen.withUnsafeMutableBufferPointer { seen in
            for t in row.tokens {
                let i = Int(t)
                // Ids outside the logits (HF clamps them to a dropped spare column) are not penalised.
                guard i >= 0, i < scores.count, !seen[i] else { continue }
                seen[i] = true
                let s = scores[i]
                scores[i] = s < 0 ? s * p : s / p
            }
            for t in row.tokens where Int(t) >= 0 && Int(t) < seen.count { seen[Int(t)] = false }
        }
    }
}

/// Rewards (penalty > 1) or discourages tokens of the row's source input: HF's "hallucination penalty",
/// using the inverse penalty on the encoder ids.
package struct EncoderRepetitionPenaltyLogitsProcessor: LogitsProcessor {
    /// HF stores `1 / penalty`.
    package let inversePenalty: Float
    /// The distinct ids of each input's encoder sequence.
    package let encoderTokens: [[Int32]]

    package init(penalty: Double, encoderInputIds: [[Int32]]) throws {
        guard penalty > 0, penalty.isFinite else {
            throw GenerationError.invalidArgument("encoder_repetition_penalty must be a positive number, got \(penalty)")
        }
        inversePenalty = Float(1.0 / penalty)
        encoderTokens = encoderInputIds.map { Array(Set($0)).sorted() }
    }

    package mutating func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        guard row.input >= 0, row.input < encoderTokens.count else { return }
        let p = inversePenalty
        for t in encoderTokens[row.input] {
            let i = Int(t)
            guard i >= 0, i < scores.count else { continue }
            let s = scores[i]
            scores[i] = s < 0 ? s * p : s / p
        }
    }
}
