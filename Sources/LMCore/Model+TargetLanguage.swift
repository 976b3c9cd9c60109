import LMModel

/// How a target language reaches the model, by family (transformers' `tgt_lang` conventions).
struct TargetLanguage: Equatable {
    /// M2M100/NLLB/mBART-50: the language token forced as the first generated token.
    var forcedBosTokenId: Int32?
    /// Multilingual Marian/OPUS-MT: the `>>xx<<` tag read before the source.
    var sourcePrefix: [Int32]?
}

extension Model {
    /// Checks a request before any input is read: its values, and that its target language
    /// resolves (callers that handle inputs one by one check once, not per input).
    public func check(_ request: RequestOptions, inputs: Int) throws(LMCoreError) {
        try request.validate(inputs: inputs)
        _ = try targetLanguage(request.targetLanguage)
    }

    /// Resolves a language code through the tokenizer: M2M100 `__fr__` (or the code as written,
    /// NLLB's `fra_Latn`), mBART-50's `fr_XX`, and for Marian (or any other model whose tokenizer
    /// has them) the `>>fr<<` source tag. nil for nil.
    func targetLanguage(_ code: String?) throws(LMCoreError) -> TargetLanguage? {
        guard let code else { return nil }
        let tokenizer = try requireTokenizer()
        let modelType = network.config.modelType
        func id(_ candidates: [String]) throws(LMCoreError) -> Int32 {
            for token in candidates {
                if let id = tokenizer.tokenToId(token) { return id }
            }
            throw LMCoreError(.invalidArgument, "target language '\(code)': the tokenizer has no token "
                + candidates.map { "'\($0)'" }.joined(separator: " or ") + " (the model does not know this language)")
        }
        let tag = code.hasPrefix(">>") && code.hasSuffix("<<") ? code : ">>\(code)<<"
        switch modelType {
        case "m2m_100":
            return TargetLanguage(forcedBosTokenId: try id(["__\(code)__", code]), sourcePrefix: nil)
        case "mbart":
            return TargetLanguage(forcedBosTokenId: try id([code]), sourcePrefix: nil)
        case "marian":
            return TargetLanguage(forcedBosTokenId: nil, sourcePrefix: [try id([tag])])
        default:
            // Other models trained with OPUS-MT's source tags (such as models/numbers-7lang-gru) take them too.
            if let tagId = tokenizer.tokenToId(tag) { return TargetLanguage(forcedBosTokenId: nil, sourcePrefix: [tagId]) }
            throw LMCoreError(.unsupported, "target language '\(code)': this \(modelType) model's tokenizer has no "
                + "language token '\(tag)' (M2M100/NLLB, mBART-50 and tagged multilingual models do); say the language "
                + "in the input text instead")
        }
    }
}

extension Model {
    /// The codes `RequestOptions.targetLanguage` accepts on this model, sorted: the tokenizer's
    /// language tokens by family (M2M100 `__fr__` as `fr`, NLLB `fra_Latn` and mBART-50 `fr_XX` as
    /// written, `>>fr<<` tags as `fr`). Empty when the model has no language tokens (a one-pair
    /// model such as opus-mt-en-de, or no tokenizer).
    public var targetLanguages: [String] {
        guard let tokenizer else { return [] }
        let modelType = network.config.modelType
        var codes: Set<String> = []
        for id in 0..<Int32(clamping: tokenizer.vocabularySize) {
            guard let token = tokenizer.idToToken(id), let code = Model.languageCode(token, modelType: modelType),
                  (try? targetLanguage(code)) != nil else { continue }
            codes.insert(code)
        }
        return codes.sorted()
    }

    /// The language code a token stands for in a `modelType` model's vocabulary, if it is one.
    static func languageCode(_ token: String, modelType: String) -> String? {
        func letters(_ s: Substring, _ range: ClosedRange<Int>, upper: Bool = false) -> Bool {
            range.contains(s.count) && s.allSatisfy { $0.isASCII && $0.isLetter && (upper ? $0.isUppercase : $0.isLowercase) }
        }
        if token.hasPrefix(">>"), token.hasSuffix("<<"), token.count > 4 {
            let code = token.dropFirst(2).dropLast(2)
            return code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
                ? String(code) : nil
        }
        switch modelType {
        case "m2m_100":
            if token.hasPrefix("__"), token.hasSuffix("__"), token.count > 4 {
                let code = token.dropFirst(2).dropLast(2)
                return letters(code, 2...3) ? String(code) : nil
            }
            // NLLB: fra_Latn.
            let parts = token.split(separator: "_", omittingEmptySubsequences: false)
            if parts.count == 2, letters(parts[0], 3...3), parts[1].count == 4, parts[1].first?.isUppercase == true,
               letters(parts[1].dropFirst(), 3...3) {
                return token
            }
            return nil
        case "mbart":
            let parts = token.split(separator: "_", omittingEmptySubsequences: false)
            return parts.count == 2 && letters(parts[0], 2...3) && letters(parts[1], 2...2, upper: true) ? token : nil
        default:
            return nil
        }
    }
}
