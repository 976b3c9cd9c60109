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
    static func encode(_ text: String, with tokenizer: any TextTokenizer, maxLength: Int?,
                       sourcePrefix: [Int32]?) throws -> [Int32] {
        let full = (sourcePrefix ?? []) + (try tokenizer.encode(text).ids)
        guard let maxLength, full.count > maxLength else { return full }
        // The special tokens are what `addSpecialTokens` adds around the content: find the
        // content inside the full encoding and keep what stands before and after it.
        let content = (sourcePrefix ?? []) + (try tokenizer.encode(text, addSpecialTokens: false).ids)
        var before = 0
        var found = false
        if content.count <= full.count {
            for start in 0...(full.count - content.count) where full[start..<(start + content.count)].elementsEqual(content) {
                before = start
                found = true
                break
            }
        }
        guard found else {
            // A post-processor that rewrites the content: keep the first ids and the last one.
            return Array(full.prefix(max(0, maxLength - 1))) + (full.last.map { [$0] } ?? [])
        }
        let after = full.count - before - content.count
        let keep = maxLength - before - after
        guard keep >= 0 else {
            throw LMCoreError(.invalidArgument, "max_input_length \(maxLength) is shorter than the \(before + after) "
                + "special tokens the tokenizer adds")
        }
        return Array(full[..<before]) + content.prefix(keep) + full.suffix(after)
    }
}
