// Follows transformers' SuppressTokensLogitsProcessor, SuppressTokensAtBeginLogitsProcessor,
// InfNanRemoveLogitsProcessor and LogitNormalization (v5.23).

import LMTensor

/// Bans the given tokens at every step (ids outside the vocabulary are ignored, as HF's `isin` mask does).
package struct SuppressTokensLogitsProcessor: LogitsProcessor {
    package let suppressTokens: [Int32]

    package init(suppressTokens: [Int32]) {
        self.suppressTokens = suppressTokens
    }

    package func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        for id in suppressTokens { scores.setIfValid(id, -.infinity) }
    }

    package func masksOnly(row: ProcessorRow) -> Bool { true }
}

/// Bans the given tokens at the step where the row has exactly `beginIndex` tokens (the first generated
/// token, or the second when a BOS token is forced first).
package struct SuppressTokensAtBeginLogitsProcessor: LogitsProcessor {
    package let beginSuppressTokens: [Int32]
    package let beginIndex: Int

    package init(beginSuppressTokens: [Int32], beginIndex: Int) {
        self.beginSuppressTokens = beginSuppressTokens
        self.beginIndex = beginIndex
    }

    package func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        guard row.tokens.count == beginIndex else { return }
        for id in beginSuppressTokens { scores.setIfValid(id, -.infinity) }
    }

    package func masksOnly(row: ProcessorRow) -> Bool { true }
}

/// Replaces NaN by 0 and ±inf by the largest finite magnitudes (HF `remove_invalid_values`).
package struct InfNanRemoveLogitsProcessor: LogitsProcessor {
    package init() {}

    package func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
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
package struct LogitNormalization: LogitsProcessor {
    package init() {}

    package func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        RowMath.logSoftmax(scores)
    }
}
