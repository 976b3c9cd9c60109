import LMInput

/// Fast path for the bulk of a tokenizer.json: the model's "vocab" and "merges" (tens or hundreds of
/// thousands of entries, where per-entry Codable calls would dominate the load time) are read straight
/// from the parsed `JSONValue` tree. Anything of an unexpected shape is left nil, and the plain Codable
/// path (with its error messages) takes over.
struct ModelBulkData {
    var vocab: [(String, Double)]? = nil
    var vocabIsArray = false
    /// Pairs; for legacy "a b" string merges, the whole line with an empty second part (the caller
    /// splits it, with its error messages).
    var merges: [(String, String)]? = nil
    var mergesAreStrings = false

    /// The bulk data of the model section `decoder` reads, when it reads lmcore's JSON tree.
    init?(_ decoder: any Decoder) {
        guard let model = (decoder as? any JSONBackedDecoder)?.jsonValue, model.members != nil else { return nil }
        switch model["vocab"] {
        case .object(let members)?:
            vocab = ModelBulkData.vocabObject(members)
        case .array(let items)?:
            vocab = ModelBulkData.vocabArray(items)
            vocabIsArray = vocab != nil
        default:
            break
        }
        if case .array(let items)? = model["merges"] {
            (merges, mergesAreStrings) = ModelBulkData.merges(items) ?? (nil, false)
        }
    }

    /// `{token: id}` entries in file order (duplicates kept; the token table resolves them as HF does).
    private static func vocabObject(_ members: [(key: String, value: JSONValue)]) -> [(String, Double)]? {
        var out: [(String, Double)] = []
        out.reserveCapacity(members.count)
        for (token, value) in members {
            guard let id = value.double else { return nil }
            out.append((token, id))
        }
        return out
    }

    /// Unigram's `[[piece, score], ...]`.
    private static func vocabArray(_ items: [JSONValue]) -> [(String, Double)]? {
        var out: [(String, Double)] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard case .array(let pair) = item, pair.count == 2, let piece = pair[0].string,
                  let score = pair[1].double else { return nil }
            out.append((piece, score))
        }
        return out
    }

    /// `[["a", "b"], ...]` (tokenizers >= 0.20) or legacy `["a b", ...]`; a mix is left to Codable.
    private static func merges(_ items: [JSONValue]) -> ([(String, String)], Bool)? {
        var out: [(String, String)] = []
        out.reserveCapacity(items.count)
        let strings = items.first?.string != nil
        for item in items {
            if strings {
                guard let line = item.string else { return nil }
                out.append((line, ""))
            } else {
                guard case .array(let pair) = item, pair.count == 2, let a = pair[0].string, let b = pair[1].string else {
                    return nil
                }
                out.append((a, b))
            }
        }
        return (out, strings)
    }
}
