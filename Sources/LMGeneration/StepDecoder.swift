import LMTensor

/// What search needs from a model: one decoding step at a time over a set of rows (hypotheses),
/// with the model's caches following the rows.
///
/// Search owns the token bookkeeping; the decoder owns the caches (self-attention K/V per step,
/// cross-attention K/V once per input). Row `r` of a step belongs to the source input that
/// `reorder` last mapped it to. Initially there is one row per source input, in input order.
package protocol StepDecoder {
    /// The number of logits per row.
    var vocabularySize: Int { get }

    /// Feeds one token per row (the last token of each hypothesis) and returns the next-token
    /// logits, shape (rows, vocabularySize). The first call feeds the decoder start tokens.
    mutating func step(_ tokens: [Int32]) throws -> Tensor

    /// Keeps the rows `indices` in this order (repeats allowed): expands inputs into beams,
    /// follows beam reordering, and drops finished inputs. Caches are reordered, never recomputed.
    mutating func reorder(_ indices: [Int]) throws

    /// Threads the search may use for its own per-input work (beam candidate selection) between
    /// steps, while the decoder's threads are idle. 1 keeps the search on the calling thread.
    var searchThreads: Int { get }
}

extension StepDecoder {
    package var searchThreads: Int { 1 }
}
