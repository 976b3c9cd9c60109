/// The result of encoding one text (or a pair), as HF tokenizers' `Encoding`.
public struct Encoding: Sendable, Equatable {
    /// Token ids, special tokens included when requested.
    public var ids: [Int32]
    /// Token strings, as `Encoding.tokens` in HF tokenizers.
    public var tokens: [String]
    /// For each token, its [start, end) span in the original text. `HFTokenizer` reports Unicode
    /// scalar (code point) offsets, exactly as HF tokenizers reports char offsets to Python;
    /// special tokens added by the post-processor and padding have 0..<0.
    /// (Other implementations document the unit they use.)
    public var offsets: [Range<Int>]
    /// 0 for the first sequence, 1 for the pair's second (and its special tokens as the template says).
    public var typeIds: [Int32]
    /// 1 where the token is a special token added by the post-processor.
    public var specialTokensMask: [Int32]
    /// 1 for real tokens, 0 for padding.
    public var attentionMask: [Int32]

    public init(ids: [Int32], tokens: [String], offsets: [Range<Int>], typeIds: [Int32],
                specialTokensMask: [Int32], attentionMask: [Int32]) {
        self.ids = ids
        self.tokens = tokens
        self.offsets = offsets
        self.typeIds = typeIds
        self.specialTokensMask = specialTokensMask
        self.attentionMask = attentionMask
    }
}
