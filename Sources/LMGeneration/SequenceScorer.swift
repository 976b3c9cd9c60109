// Teacher-forced scoring, like CTranslate2's score_batch: the model's log-probability of given target
// sequences, computed on the same step decoder as search.

import LMTensor

/// The log-probabilities a model gives one target sequence.
public struct SequenceScore: Sendable, Equatable {
    /// log p(target[t] | start token, target[..<t]) for each target token (raw log-softmax, no processors).
    public var tokenLogProbs: [Float]
    /// Their sum.
    public var total: Float

    public init(tokenLogProbs: [Float]) {
        self.tokenLogProbs = tokenLogProbs
        total = tokenLogProbs.reduce(0, +)
    }
}

extension Generation {
    /// Scores each input's target ids by feeding the decoder start token, then the targets one step at a
    /// time, reading the log-softmax of the next target. `targets[i]` belongs to decoder row `i`; include
    /// the EOS token in a target to score it. Rows whose target is exhausted are dropped with `reorder`.
    package static func score<D: StepDecoder>(decoder: inout D, targets: [[Int32]],
                                             decoderStartTokenId: Int32) throws -> [SequenceScore] {
        let vocab = decoder.vocabularySize
        guard vocab > 0, vocab <= Int(Int32.max) else {
            throw GenerationError.invalidArgument("the decoder's vocabulary size is \(vocab)")
        }
        guard decoderStartTokenId >= 0, Int(decoderStartTokenId) < vocab else {
            throw GenerationError.invalidArgument(
                "decoder_start_token_id \(decoderStartTokenId) is outside the vocabulary of \(vocab)")
        }
        for (i, target) in targets.enumerated() {
            for id in target where id < 0 || Int(id) >= vocab {
                throw GenerationError.invalidArgument(
                    "target \(i): token \(id) is outside the vocabulary of \(vocab) tokens")
            }
        }
        var logProbs = [[Float]](repeating: [], count: targets.count)
        var alive = Array(targets.indices)
        var feed = [Int32](repeating: decoderStartTokenId, count: targets.count)
        var position = 0
        var decoderRows = targets.count
        while !alive.isEmpty && alive.contains(where: { targets[$0].count > position }) {
            // Drop rows with nothing left to score before stepping.
            let keep = alive.indices.filter { targets[alive[$0]].count > position }
            if keep.count != decoderRows {
                try decoder.reorder(keep)
                alive = keep.map { alive[$0] }
                feed = keep.map { feed[$0] }
                decoderRows = keep.count
            }
            let logits = try decoder.step(feed)
            guard logits.shape == [alive.count, vocab], logits.storage.count == alive.count * vocab else {
                throw GenerationError.invalidArgument(
                    "the step decoder returned logits of shape \(logits.shape), expected [\(alive.count), \(vocab)]")
            }
            logits.storage.withUnsafeBufferPointer { all in
                for (slot, r) in alive.enumerated() {
                    let row = UnsafeBufferPointer(rebasing: all[(slot * vocab)..<((slot + 1) * vocab)])
                    let target = Int(targets[r][position])
                    let m = RowMath.max(row)
                    let logSum = LibM.ln(RowMath.sumExp(row, minus: m))
                    logProbs[r].append((row[target] - m) - logSum)
                }
            }
            feed = alive.map { targets[$0][position] }
            position += 1
        }
        return logProbs.map(SequenceScore.init(tokenLogProbs:))
    }
}
