// Follows transformers' MinLengthLogitsProcessor, MinNewTokensLengthLogitsProcessor,
// ForcedBOSTokenLogitsProcessor, ForcedEOSTokenLogitsProcessor and ExponentialDecayLengthPenalty (v5.23).

import LMTensor

/// Bans the EOS ids while the row (start token included) is shorter than `minLength`.
public struct MinLengthLogitsProcessor: LogitsProcessor {
    public let minLength: Int
    public let eosTokenIds: [Int32]

    public init(minLength: Int, eosTokenIds: [Int32]) throws {
        guard minLength >= 0 else {
            throw GenerationError.invalidArgument("min_length must be a non-negative integer, got \(minLength)")
        }
        self.minLength = minLength
        self.eosTokenIds = eosTokenIds
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        guard row.tokens.count < minLength else { return }
        for id in eosTokenIds { scores.setIfValid(id, -.infinity) }
    }

    public func masksOnly(row: ProcessorRow) -> Bool { true }
}

/// Bans the EOS ids until `minNewTokens` tokens follow the decoder prompt.
public struct MinNewTokensLengthLogitsProcessor: LogitsProcessor {
    public let promptLengthToSkip: Int
    public let minNewTokens: Int
    public let eosTokenIds: [Int32]

    public init(promptLengthToSkip: Int, minNewTokens: Int, eosTokenIds: [Int32]) throws {
        guard promptLengthToSkip >= 0, minNewTokens >= 0 else {
            throw GenerationError.invalidArgument("min_new_tokens must be a non-negative integer, got \(minNewTokens)")
        }
        self.promptLengthToSkip = promptLengthToSkip
        self.minNewTokens = minNewTokens
        self.eosTokenIds = eosTokenIds
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        guard row.tokens.count - promptLengthToSkip < minNewTokens else { return }
        for id in eosTokenIds { scores.setIfValid(id, -.infinity) }
    }

    public func masksOnly(row: ProcessorRow) -> Bool { true }
}

/// Forces `bosTokenId` as the first generated token (right after the decoder start token).
public struct ForcedBOSTokenLogitsProcessor: LogitsProcessor {
    public let bosTokenId: Int32

    public init(bosTokenId: Int32, vocabularySize: Int) throws {
        guard bosTokenId >= 0, Int(bosTokenId) < vocabularySize else {
            throw GenerationError.invalidArgument(
                "forced_bos_token_id \(bosTokenId) is outside the vocabulary of \(vocabularySize) tokens")
        }
        self.bosTokenId = bosTokenId
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        guard row.tokens.count == 1 else { return }
        RowMath.fill(scores, -.infinity)
        scores.setIfValid(bosTokenId, 0)
    }

    public func masksOnly(row: ProcessorRow) -> Bool { row.tokens.count != 1 }
}

/// Forces one of the EOS ids as the last token, when the row is one token short of `maxLength`.
public struct ForcedEOSTokenLogitsProcessor: LogitsProcessor {
    public let maxLength: Int
    public let eosTokenIds: [Int32]

    public init(maxLength: Int, eosTokenIds: [Int32], vocabularySize: Int) throws {
        for id in eosTokenIds where id < 0 || Int(id) >= vocabularySize {
            throw GenerationError.invalidArgument(
                "forced_eos_token_id \(id) is outside the vocabulary of \(vocabularySize) tokens")
        }
        self.maxLength = maxLength
        self.eosTokenIds = eosTokenIds
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        guard row.tokens.count == maxLength - 1 else { return }
        RowMath.fill(scores, -.infinity)
        for id in eosTokenIds { scores.setIfValid(id, 0) }
    }

    public func masksOnly(row: ProcessorRow) -> Bool { row.tokens.count != maxLength - 1 }
}

/// After `start` new tokens, raises the EOS scores by |score|·(factor^(cur_len − start) − 1).
public struct ExponentialDecayLengthPenalty: LogitsProcessor {
    /// HF's `regulation_start`: the start index plus the decoder prompt length.
    public let regulationStart: Int
    public let regulationFactor: Double
    public let eosTokenIds: [Int32]

    public init(startIndex: Int, decayFactor: Double, eosTokenIds: [Int32], promptLength: Int) throws {
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

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        let curLen = row.tokens.count
        guard curLen > regulationStart else { return }
        let factor = Float(LibM.powd(regulationFactor, Double(curLen - regulationStart)) - 1)
        for id in eosTokenIds where Int(id) < scores.count {
            let s = scores[Int(id)]
            let penalty = s.isFinite ? abs(s) * factor : 0
            scores[Int(id)] = s + penalty
        }
    }

    public func masksOnly(row: ProcessorRow) -> Bool { row.tokens.count <= regulationStart }
}
