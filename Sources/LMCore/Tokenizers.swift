import LMInput
import LMTokenizer

/// Loading a tokenizer on its own (without a model).
public enum Tokenizers {
    /// PATH is a tokenizer.json, a SentencePiece .model/.spm file, or a model folder (picked
    /// the way transformers' AutoTokenizer picks files).
    public static func load(path: String) throws(LMCoreError) -> any TextTokenizer {
        try lmcore { try AutoTokenizer.load(path: path) }
    }

    /// A model folder's tokenizer, given the config.json the model load has parsed.
    static func load(path: String, modelConfig: JSONValue) throws(LMCoreError) -> any TextTokenizer {
        try lmcore { try AutoTokenizer.load(path: path, modelConfig: modelConfig) }
    }
}

extension Tokenizers {
    /// `tokenizer(text, truncation=True, max_length=maxLength)["input_ids"]` as transformers gives
    /// them for one sequence (nil: no truncation).
    public static func encode(_ text: String, tokenizer: any TextTokenizer,
                              maxLength: Int?) throws(LMCoreError) -> [Int32] {
        if let maxLength, maxLength < 1 {
            throw LMCoreError(.invalidArgument, "max_length is \(maxLength); it must be at least 1")
        }
        return try lmcore { try encode(text, with: tokenizer, maxLength: maxLength, sourcePrefix: nil) }
    }

    /// `tokenizer(text)` ids with special tokens, optionally after `sourcePrefix` ids, truncated to
    /// `maxLength` as transformers' `truncation=True, max_length=` does for one sequence: the
    /// content is cut and the tokenizer's special tokens (before and after it) are kept.
    ///
    /// A long text is not tokenized whole to keep its first tokens: `prefixTruncated` tokenizes
    /// growing prefixes and stops once two of them agree on the kept ids, so a 16 MiB line cut to
    /// 512 tokens costs about 50 KB of tokenizing instead of 16 MiB (and ~1.6 GB of working memory).
    static func encode(_ text: String, with tokenizer: any TextTokenizer, maxLength: Int?,
                       sourcePrefix: [Int32]?) throws -> [Int32] {
        guard let maxLength else { return (sourcePrefix ?? []) + (try tokenizer.encode(text).ids) }
        try TextLimits.check(text)  // the same limit as a whole encode, so the result never depends on the path
        if let ids = try prefixTruncated(text, with: tokenizer, maxLength: maxLength, sourcePrefix: sourcePrefix) {
            return ids
        }
        let full = (sourcePrefix ?? []) + (try tokenizer.encode(text).ids)
        guard full.count > maxLength else { return full }
        let content = (sourcePrefix ?? []) + (try tokenizer.encode(text, addSpecialTokens: false).ids)
        return try truncated(full: full, content: content, maxLength: maxLength)
    }

    /// Bytes per kept token in the first prefix tried (4096 bytes at least): generous, since a
    /// token rarely spans more than a few bytes, and a short first prefix only costs one doubling.
    static let prefixBytesPerToken = 32
    /// Tokens past the kept ones the prefix must reach, so the kept ids lie clear of the cut,
    /// where a token can differ from the whole text's (a word or merge split by the cut).
    static let prefixMargin = 16

    /// The truncated ids from prefixes of `text`, or nil when the text is too short for prefixes
    /// to save work (or the tokenizer rewrites its content, see `truncated`): the prefix of c bytes
    /// (cut at a scalar boundary) and of 2c bytes must both reach `prefixMargin` tokens past the
    /// kept ones and agree on the kept ids; until they do c doubles, up to the whole text. The
    /// ids equal the whole text's whenever the text after the first c bytes does not change how
    /// its first tokens are split, which holds for every tokenizer model lmcore reads (BPE,
    /// WordPiece, Unigram and Marian's SentencePiece split at pre-tokenizer boundaries or converge
    /// within a word); `TruncatingEncodeTests` compares both paths on long texts in many scripts.
    /// `firstCut` (tests) replaces the first prefix's length.
    package static func prefixTruncated(_ text: String, with tokenizer: any TextTokenizer, maxLength: Int,
                                        sourcePrefix: [Int32]?, firstCut: Int? = nil) throws -> [Int32]? {
        var cut = firstCut ?? max(4096, maxLength.multipliedReportingOverflow(by: prefixBytesPerToken).partialValue)
        guard cut < text.utf8.count else { return nil }  // the usual short text: no copy of its bytes
        let bytes = Array(text.utf8)
        var previous: [Int32]? = nil
        while cut < bytes.count {
            var end = cut
            while end > 0 && bytes[end] & 0xC0 == 0x80 { end -= 1 }  // not inside a UTF-8 sequence
            let piece = String(decoding: bytes[..<end], as: UTF8.self)
            let full = (sourcePrefix ?? []) + (try tokenizer.encode(piece).ids)
            let content = (sourcePrefix ?? []) + (try tokenizer.encode(piece, addSpecialTokens: false).ids)
            guard let (before, after) = specialTokenCounts(full: full, content: content) else { return nil }
            let keep = maxLength - before - after
            guard keep >= 0 else { throw specialTokensTooMany(maxLength, before + after) }
            if content.count >= keep + prefixMargin {
                if let previous, previous.prefix(keep).elementsEqual(content.prefix(keep)) {
                    return Array(full[..<before]) + content.prefix(keep) + full.suffix(after)
                }
                previous = content
            }
            if cut > bytes.count / 2 { break }
            cut *= 2
        }
        return nil
    }

    /// `full` (with special tokens) cut to `maxLength`, keeping the specials around `content`.
    package static func truncated(full: [Int32], content: [Int32], maxLength: Int) throws -> [Int32] {
        guard let (before, after) = specialTokenCounts(full: full, content: content) else {
            // A post-processor that rewrites the content: keep the first ids and the last one.
            return Array(full.prefix(max(0, maxLength - 1))) + (full.last.map { [$0] } ?? [])
        }
        let keep = maxLength - before - after
        guard keep >= 0 else { throw specialTokensTooMany(maxLength, before + after) }
        return Array(full[..<before]) + content.prefix(keep) + full.suffix(after)
    }

    /// How many ids the special tokens add before and after the content: the special tokens are
    /// what `addSpecialTokens` adds around it, so find the content inside the full encoding.
    /// nil when the full encoding does not contain the content.
    static func specialTokenCounts(full: [Int32], content: [Int32]) -> (before: Int, after: Int)? {
        guard content.count <= full.count else { return nil }
        for start in 0...(full.count - content.count) where full[start..<(start + content.count)].elementsEqual(content) {
            return (start, full.count - start - content.count)
        }
        return nil
    }

    static func specialTokensTooMany(_ maxLength: Int, _ specials: Int) -> LMCoreError {
        LMCoreError(.invalidArgument, "max_input_length \(maxLength) is shorter than the \(specials) "
            + "special tokens the tokenizer adds")
    }
}
