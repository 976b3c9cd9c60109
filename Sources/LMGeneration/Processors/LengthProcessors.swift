// Follows transformers' MinLengthLogitsProcessor, MinNewTokensLengthLogitsProcessor,
// ForcedBOSTokenLogitsProcessor, ForcedEOSTokenLogitsProcessor and ExponentialDecayLengthPenalty (v5.23).

import LMTensor

/// Bans the EOS ids while the row (start token included) is shorter than `minLength`.
package struct MinLengthLogitsProcessor: LogitsProcessor {
    package let minLength: Int
    package let eosTokenIds: [Int32]

    package init(minLength: Int, eosTokenIds: [Int32]) throws {
        guard minLength >= 0 else {
            throw GenerationError.invalidArgument("min_length must be a non-negative integer, got \(minLength)")
        }
        self.minLength = minLength
        self.eosTokenIds = eosTokenIds
    }

    package func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        guard row.tokens.count < minLength else { return }
        for id in eosTokenIds { scores.setIfValid(id, -.infinity) }
    }

    package func masksOnly(row: ProcessorRow) -> Bool { true }
}

/// Bans the EOS ids until `minNewTokens` tokens follow the decoder prompt.
package struct MinNewTokensLengthLogitsProcessor: LogitsProcessor {
    package let promptLengthToSkip: Int
    package let minNewTokens: Int
    package let eosTokenIds: [Int32]

    package init(promptLengthToSkip: Int, minNewTokens: Int, eosTokenIds: [Int32]) throws {
        guard promptLengthToSkip >= 0, minNewTokens >= 0 else {
            throw GenerationError.invalidArgument("min_new_tokens must be a non-negative integer, got \(minNewTokens)")
        }
        self.promptLengthToSkip = promptLengthToSkip
        self.minNewTokens = minNewTokens
        self.eosTokenIds = eosTokenIds
    }

    package func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        guard row.tokens.count - promptLengthToSkip < minNewTokens else { return }
        for id in eosTokenIds { scores.setIfValid(id, -.infinity) }
    }

    package func masksOnly(row: ProcessorRow) -> Bool { true }
}

/// Forces `bosTokenId` as the first generated token (right after the decoder start token).
package struct ForcedBOSTokenLogitsProcessor: LogitsProcessor {
    package let bosTokenId: Int32

    package init(bosTokenId: Int32, vocabularySize: Int) throws {
        guard bosTokenId >= 0, Int(bosTokenId) < vocabularySize else {
            throw GenerationError.invalidArgument(
                "forced_bos_token_id \(bosTokenId) is outside the vocabulary of \(vocabularySize) tokens")
        }
        self.bosTokenId = bosTokenId
    }

    package func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        guard row.tokens.count == 1 else { return }
        RowMath.fill(scores, -.infinity)
        scores.setIfValid(bosTokenId, 0)
    }

    package func masksOnly(row: ProcessorRow) -> Bool { row.tokens.count != 1 }
}

/// Forces one of the EOS ids as the last token, when the row is one token short of `maxLength`.
package struct ForcedEOSTokenLogitsProcessor: LogitsProcessor {
    package let maxLength: Int
    package let eosTokenIds: [Int32]

    package init(maxLength: Int, eosTokenIds: [Int32], vocabularySize: Int) throws {
        for id in eosTokenIds where id < 0 || Int(id) >= vocabularySize {
            throw GenerationError.invalidArgument(
                "forced_eos_token_id \(id) is outside the vocabulary of \(vocabularySize) tokens")
        }
        self.maxLength = maxLength
        self.eosTokenIds = eosTokenIds
    }

    package func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        guard row.tokens.count == maxLength - 1 else { return }
        RowMath.fill(scores, -.infinity)
        for id in eosTokenIds { scores.setIfValid(id, 0) }
    }

    package func masksOnly(row: ProcessorRow) -> Bool { row.tokens.count != maxLength - 1 }
}

/// After `start` new tokens, raises the EOS scores by |score|·(factor^(cur_len − start) − 1).
package struct ExponentialDecayLengthPenalty: LogitsProcessor {
    /// HF's `regulation_start`: the start index plus the decoder prompt length.
    package let regulationStart: Int
    package let regulationFactor: Double
    package let eosTokenIds: [Int32]

    package init(startIndex: Int, decayFactor: Double, eosTokenIds: [Int32], promptLength: Int) throws {
        for id in eosTokenIds where id < 0 {
            throw GenerationError.invalidArgument("eos_token_id must be non-negative for exponential_decay_length_penalty")
        }
        regulationStart = startIndex + promptLength
        regulationFactor = decayFactor
        // HF writes the penalty with an assignment, so a repeated id counts once.
        var unique: [Int32] = []
        for id in eosTokenIds where !unique.contains(id) { unique.append(id) }
        self.eosTokenIds = unique
    }

    package func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        let curLen = row.tokens.count
        guard curLen > regulationStart else { return }
        let factor = Float(LibM.powd(regulationFactor, Double(curLen - regulationStart)) - 1)
        for id in eosTokenIds where Int(id) < scores.count {
            let s = scores[Int(id)]
            let penalty = s.isFinite ? abs(s) * factor : 0
            scores[Int(id)] = s + penalty
        }
    }

    package func masksOnly(row: ProcessorRow) -> Bool { row.tokens.count <= regulationStart }
}
