/// A large, regular array or object lifted out of a document while it is parsed
/// (`JSONReader.parse(_:options:capturing:)`): tokenizer.json's vocab and merges hold tens or
/// hundreds of thousands of entries, and building a `JSONValue` node per entry, then walking and
/// freeing them, costs more than the rest of the load (a t5-small tokenizer.json: +20% load time).
/// The entries are read by the same lexer, so strictness and error positions are unchanged.
package enum JSONBulk: @unchecked Sendable {
    /// `[["piece", -1.5], ...]` (a Unigram vocab).
    case stringNumberPairs([(String, Double)])
    /// `[["a", "b"], ...]` (merges, tokenizers >= 0.20).
    case stringPairs([(String, String)])
    /// `["a b", ...]` (legacy merges).
    case strings([String])
    /// `{"token": 7, ...}` in file order, repeated names kept (a BPE / WordPiece / WordLevel vocab).
    case stringNumberMembers([(String, Double)])
}
