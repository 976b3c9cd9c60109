import LMInput

/// Fast path for the bulk of a tokenizer.json: the model's "vocab" and "merges" (tens or hundreds of
/// thousands of entries, where per-entry Codable calls or tree nodes would dominate the load time)
/// are lifted out by the reader as the file is parsed (`JSONReader.parse(_:options:capturing:)`,
/// called by `TokenizerFile.parse`) and reach the model's decoder through `userInfo`. Anything of an
/// unexpected shape stays in the tree, and the plain Codable path (with its error messages) reads it.
struct ModelBulkData {
    /// The member paths `TokenizerFile.parse` asks the reader to capture.
    static let paths = [vocabPath, mergesPath]
    static let vocabPath = ["model", "vocab"]
    static let mergesPath = ["model", "merges"]
    /// The `userInfo` key under which the captured `[[String]: JSONBulk]` travels.
    static let userInfoKey = CodingUserInfoKey(rawValue: "lmcore.tokenizer.bulk")!

    var vocab: [(String, Double)]? = nil
    var vocabIsArray = false
    /// Pairs; for legacy "a b" string merges, the whole line with an empty second part (the caller
    /// splits it, with its error messages).
    var merges: [(String, String)]? = nil
    var mergesAreStrings = false

    /// The bulk data captured for the model section `decoder` reads, if any.
    init?(_ decoder: any Decoder) {
        guard let captured = decoder.userInfo[ModelBulkData.userInfoKey] as? [[String]: JSONBulk] else { return nil }
        switch captured[ModelBulkData.vocabPath] {
        case .stringNumberMembers(let members)?: vocab = members
        case .stringNumberPairs(let pairs)?: vocab = pairs; vocabIsArray = true
        default: break
        }
        switch captured[ModelBulkData.mergesPath] {
        case .stringPairs(let pairs)?: merges = pairs
        case .strings(let lines)?: merges = lines.map { ($0, "") }; mergesAreStrings = true
        default: break
        }
        if vocab == nil && merges == nil { return nil }
    }
}
