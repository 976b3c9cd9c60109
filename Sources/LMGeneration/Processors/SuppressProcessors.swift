// Follows transformers' SuppressTokensLogitsProcessor, SuppressTokensAtBeginLogitsProcessor,
// InfNanRemoveLogitsProcessor and LogitNormalization (v5.23).

import LMTensor

/// Bans the given tokens at every step (ids outside the vocabulary are ignored, as HF's `isin` mask does).
public struct SuppressTokensLogitsProcessor: LogitsProcessor {
    public let suppressTokens: [Int32]

    public init(suppressTokens: [Int32]) {
        self.suppressTokens = suppressTokens
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        for id in suppressTokens { scores.setIfValid(id, -.infinity) }
    }

    public func masksOnly(row: ProcessorRow) -> Bool { true }
}

/// Bans the given tokens at the step where the row has exactly `beginIndex` tokens (the first generated
/// token, or the second when a BOS token is forced first).
public struct SuppressTokensAtBeginLogitsProcessor: LogitsProcessor {
    public let beginSuppressTokens: [Int32]
    public let beginIndex: Int

    public init(beginSuppressTokens: [Int32], beginIndex: Int) {
        self.beginSuppressTokens = beginSuppressTokens
        self.beginIndex = beginIndex
    }

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        guard row.tokens.count == beginIndex else { return }
        for id in beginSuppressTokens { scores.setIfValid(id, -.infinity) }
    }

    public func masksOnly(row: ProcessorRow) -> Bool { true }
}

/// Replaces NaN by 0 and ±inf by the largest finite magnitudes (HF `remove_invalid_values`).
public struct InfNanRemoveLogitsProcessor: LogitsProcessor {
    public init() {}

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        for i in 0..<scores.count {
            let s = scores[i]
            if s.isNaN {
                scores[i] = 0
            } else if s == .infinity {
                scores[i] = .greatestFiniteMagnitude
            } else if s == -.infinity {
                scores[i] = -.greatestFiniteMagnitude
            }
        }
    }
}

/// Log-softmax of the processed scores (HF `renormalize_logits`), always the last processor.
public struct LogitNormalization: LogitsProcessor {
    public init() {}

    public func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        RowMath.logSoftmax(scores)
    }
}
