/// One hypothesis as a logits processor sees it.
package struct ProcessorRow {
    /// Every decoder token so far: the decoder start token, any forced prefix, then generated tokens
    /// (HF's `input_ids` row). Its count is HF's `cur_len`.
    package let tokens: UnsafeBufferPointer<Int32>
    /// The source input this row belongs to (index into the `inputs` of the generate call).
    package let input: Int

    package init(tokens: UnsafeBufferPointer<Int32>, input: Int) {
        self.tokens = tokens
        self.input = input
    }
}

/// Rewrites one row of next-token scores in place, like transformers' `LogitsProcessor.__call__` on one row.
///
/// In greedy search and sampling the scores are the model's logits; in beam search they are
/// log-softmax log-probabilities (HF applies processors after `log_softmax`). Each processor is the
/// HF class of the same name, restricted to one row.
package protocol LogitsProcessor: Sendable {
    mutating func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow)

    /// Whether `process` on this row only sets scores to -inf (or leaves them), never reading them.
    /// Beam search then applies it to the raw logits and folds log-softmax into its top-k scan
    /// instead of writing the log-probabilities out (the result is the same). Default: false.
    func masksOnly(row: ProcessorRow) -> Bool
}

extension LogitsProcessor {
    package func masksOnly(row: ProcessorRow) -> Bool { false }
}

/// A list of processors applied in order (transformers' `LogitsProcessorList`).
package struct LogitsProcessorList: Sendable {
    package var processors: [any LogitsProcessor]

    package init(_ processors: [any LogitsProcessor] = []) {
        self.processors = processors
    }

    package var isEmpty: Bool { processors.isEmpty }

    package mutating func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        for i in processors.indices {
            processors[i].process(scores, row: row)
        }
    }

    /// Whether every processor only masks on this row (see `LogitsProcessor.masksOnly`).
    package func masksOnly(row: ProcessorRow) -> Bool {
        processors.allSatisfy { $0.masksOnly(row: row) }
    }

    /// Whether the list is mask-only processors followed by a final `LogitNormalization` on this row.
    func masksThenRenormalizes(row: ProcessorRow) -> Bool {
        guard let last = processors.last, last is LogitNormalization else { return false }
        return processors.dropLast().allSatisfy { $0.masksOnly(row: row) }
    }

    /// Applies all processors but the last.
    mutating func processAllButLast(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        for i in processors.indices.dropLast() {
            processors[i].process(scores, row: row)
        }
    }
}

extension UnsafeMutableBufferPointer where Element == Float {
    /// Sets `scores[id] = value` when `id` is a valid index (HF's `isin` masks ignore other ids).
    @inline(__always)
    func setIfValid(_ id: Int32, _ value: Float) {
        let i = Int(id)
        if i >= 0 && i < count { self[i] = value }
    }

    /// `scores[id] += value` when `id` is a valid index.
    @inline(__always)
    func addIfValid(_ id: Int32, _ value: Float) {
        let i = Int(id)
        if i >= 0 && i < count { self[i] += value }
    }
}
