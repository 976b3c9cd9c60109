/// Text <-> ids, whatever files stand behind it (tokenizer.json, SentencePiece models, Marian's
/// source/target pair). Implementations are immutable after loading and safe to share across
/// threads.
public protocol TextTokenizer: Sendable {
    /// Encodes `text` (and `pair`, when given) as `tokenizer(text)` does in transformers:
    /// special tokens added by the post-processor when `addSpecialTokens` is true.
    func encode(_ text: String, pair: String?, addSpecialTokens: Bool) throws -> Encoding

    /// Encodes a target-side text (what transformers does with `text_target=`). Differs from
    /// `encode` only for tokenizers with separate source and target models (Marian).
    func encodeTarget(_ text: String, addSpecialTokens: Bool) throws -> Encoding

    /// Decodes ids to text as `tokenizer.decode(ids, skip_special_tokens:)` does, applying the
    /// configured `clean_up_tokenization_spaces`. Ids outside the vocabulary throw.
    func decode(_ ids: [Int32], skipSpecialTokens: Bool) throws -> String

    /// The number of ids the tokenizer can produce (vocabulary plus added tokens).
    var vocabularySize: Int { get }
    func tokenToId(_ token: String) -> Int32?
    func idToToken(_ id: Int32) -> String?

    /// Ids of the tokens transformers treats as special (`all_special_ids`).
    var specialTokenIds: Set<Int32> { get }
}

extension TextTokenizer {
    public func encode(_ text: String, addSpecialTokens: Bool = true) throws -> Encoding {
        try encode(text, pair: nil, addSpecialTokens: addSpecialTokens)
    }

    public func encodeTarget(_ text: String, addSpecialTokens: Bool) throws -> Encoding {
        try encode(text, pair: nil, addSpecialTokens: addSpecialTokens)
    }
}
