import LMGeneration

/// How a request's inputs are prepared and grouped, beside the search options: the target language
/// and forced target prefixes, input truncation, and batching (what CTranslate2's translate_batch
/// takes as target_prefix, max_input_length, max_batch_size and batch_type).
public struct RequestOptions: Sendable, Equatable {
    /// How `maxBatchSize` counts.
    public enum BatchType: String, Sendable, CaseIterable {
        /// At most `maxBatchSize` inputs per batch.
        case examples
        /// At most `maxBatchSize` source tokens per batch (an input longer than that is a batch alone).
        case tokens
    }

    /// A language code resolved through the model's tokenizer, as transformers' `tgt_lang`: for
    /// M2M100/NLLB (`__fr__`, `fra_Latn`) and mBART-50 (`fr_XX`) the language token becomes
    /// `forced_bos_token_id`; for multilingual Marian/OPUS-MT (and other models whose tokenizer has
    /// it) the `>>fr<<` tag is put before the source. nil: none.
    public var targetLanguage: String?
    /// Decoder ids forced after the start token: one list for every input, or one per input.
    /// Hypotheses include them.
    public var targetPrefixes: [[Int32]]?
    /// Sources longer than this many tokens are truncated, as transformers' `truncation=True,
    /// max_length=` does for text (the tokenizer's special tokens are kept) and to their first ids
    /// for `generate`. nil: text is truncated at the model's position limit (as CTranslate2's
    /// default), ids are not; 0: never truncate (an input past the model's limit is an error).
    public var maxInputLength: Int?
    /// Inputs per batch (or tokens, by `batchType`). Within a call inputs are sorted by length so
    /// batches hold similar lengths; results come back in input order and do not depend on batching.
    public var maxBatchSize: Int
    public var batchType: BatchType

    public init(targetLanguage: String? = nil, targetPrefixes: [[Int32]]? = nil, maxInputLength: Int? = nil,
                maxBatchSize: Int = 32, batchType: BatchType = .examples) {
        self.targetLanguage = targetLanguage
        self.targetPrefixes = targetPrefixes
        self.maxInputLength = maxInputLength
        self.maxBatchSize = maxBatchSize
        self.batchType = batchType
    }

    /// Checks values a caller may get wrong; `inputs` is the number of inputs of the call.
    func validate(inputs: Int) throws(LMCoreError) {
        guard maxBatchSize >= 1 else {
            throw LMCoreError(.invalidArgument, "max_batch_size is \(maxBatchSize); it must be at least 1")
        }
        if let n = maxInputLength, n < 0 {
            throw LMCoreError(.invalidArgument, "max_input_length is \(n); it must be at least 0 (0: no truncation)")
        }
        if let prefixes = targetPrefixes, prefixes.count != 1, prefixes.count != inputs {
            throw LMCoreError(.invalidArgument, "\(prefixes.count) target prefixes for \(inputs) inputs "
                + "(give one for all inputs or one per input)")
        }
    }

    /// The prefix of input `i`.
    func prefix(_ i: Int) -> [Int32] {
        guard let prefixes = targetPrefixes, !prefixes.isEmpty else { return [] }
        return prefixes.count == 1 ? prefixes[0] : prefixes[i]
    }
}

/// Splitting a call's inputs into batches (CTranslate2's rebatch_input: sort by length, then cut).
enum Batching {
    /// Groups of input indices, each sorted by decreasing length, covering every index once.
    /// Inputs of different `groups` values (their target prefix lengths: search takes one prefix
    /// length per batch, as HF's rectangular decoder_input_ids) never share a batch.
    static func batches(lengths: [Int], groups: [Int], options: RequestOptions) -> [[Int]] {
        // Longest first (stable for equal lengths), so each batch holds inputs of similar length
        // and a batch's padding-free work is not dominated by one long input.
        let order = lengths.indices.sorted {
            groups[$0] != groups[$1] ? groups[$0] < groups[$1]
                : lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1
        }
        var batches: [[Int]] = []
        var current: [Int] = []
        var tokens = 0
        for i in order {
            let size = options.batchType == .tokens ? lengths[i] : 1
            if !current.isEmpty && (tokens + size > options.maxBatchSize || groups[i] != groups[current[0]]) {
                batches.append(current)
                current = []
                tokens = 0
            }
            current.append(i)
            tokens += size
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }
}
