import LMInput

// MarianTokenizer's encode and decode paths (transformers 5.23): PythonBackend.tokenize,
// convert_tokens_to_ids, build_inputs_with_special_tokens; MarianTokenizer._decode and
// convert_tokens_to_string.


extension MarianTokenizer {
    /// One token of `tokenize(text)`: its string, id and UTF-8 byte range in the text.
    struct Token {
        var token: String
        var id: Int32
        var offset: Range<Int>
    }

    /// `tokenize(text)` followed by `convert_tokens_to_ids`, on the source or the target side.
    func tokenize(_ text: String, targetSide: Bool) throws -> [Token] {
        let scalars = Array(text.unicodeScalars)
        // UTF-8 offset of each scalar boundary, for offsets.
        var byteOffset = [Int](repeating: 0, count: scalars.count + 1)
        for (i, s) in scalars.enumerated() { byteOffset[i + 1] = byteOffset[i] + UTF8.width(s) }

        // Split on added tokens, then apply their lstrip / rstrip / single_word as
        // PythonBackend.tokenize does (on the neighbouring chunks).
        var chunks = trie.split(scalars).map { (range: $0, text: String(String.UnicodeScalarView(scalars[$0]))) }
        func addedToken(_ s: String) -> AddedToken? { addedEncoder[PythonKey(s)].flatMap { addedTokens[$0] } }
        for i in chunks.indices {
            guard let t = addedToken(chunks[i].text) else { continue }
            if t.rstrip, i + 1 < chunks.count, !chunks[i + 1].text.isEmpty {
                let stripped = PythonString.lstrip(chunks[i + 1].text)
                let removed = chunks[i + 1].text.unicodeScalars.count - stripped.unicodeScalars.count
                chunks[i + 1] = ((chunks[i + 1].range.lowerBound + removed)..<chunks[i + 1].range.upperBound, stripped)
            }
            if t.lstrip, i > 0, !chunks[i - 1].text.isEmpty {
                let stripped = PythonString.rstrip(chunks[i - 1].text)
                let removed = chunks[i - 1].text.unicodeScalars.count - stripped.unicodeScalars.count
                chunks[i - 1] = (chunks[i - 1].range.lowerBound..<(chunks[i - 1].range.upperBound - removed), stripped)
            }
            if t.singleWord {
                if i > 0, let last = chunks[i - 1].text.unicodeScalars.last, last != " " {
                    chunks[i - 1] = (chunks[i - 1].range.lowerBound..<chunks[i].range.upperBound,
                                     chunks[i - 1].text + chunks[i].text)
                    chunks[i] = (chunks[i].range.upperBound..<chunks[i].range.upperBound, "")
                } else if i + 1 < chunks.count, let first = chunks[i + 1].text.unicodeScalars.first, first != " " {
                    chunks[i + 1] = (chunks[i].range.lowerBound..<chunks[i + 1].range.upperBound,
                                     chunks[i].text + chunks[i + 1].text)
                    chunks[i] = (chunks[i].range.lowerBound..<chunks[i].range.lowerBound, "")
                }
            }
        }

        let spm = targetSide ? target : source
        let vocab = targetSide ? (targetEncoder ?? encoder) : encoder
        guard let unkId = vocab[PythonKey(unkToken)] else {
            throw InputError.format("MarianTokenizer: '\(unkToken)' is not in the target vocabulary")
        }
        func id(_ token: String) -> Int32 { addedEncoder[PythonKey(token)] ?? vocab[PythonKey(token)] ?? unkId }

        var out: [Token] = []
        for chunk in chunks where !chunk.text.isEmpty {
            let start = byteOffset[chunk.range.lowerBound]
            if addedEncoder[PythonKey(chunk.text)] != nil
                || specialTokenKeys.contains(PythonKey(chunk.text)) {
                out.append(Token(token: chunk.text, id: id(chunk.text), offset: start..<byteOffset[chunk.range.upperBound]))
                continue
            }
            // remove_language_code: a leading ">>...<<" (up to the first "<<") is one token.
            var rest = chunk.text
            var restStart = start
            let u = Array(chunk.text.utf8)
            if u.starts(with: [0x3E, 0x3E]), let close = Self.firstIndex(of: [0x3C, 0x3C], in: u) {
                let code = String(decoding: u[..<(close + 2)], as: UTF8.self)
                out.append(Token(token: code, id: id(code), offset: start..<(start + close + 2)))
                rest = String(decoding: u[(close + 2)...], as: UTF8.self)
                restStart += close + 2
            }
            let pieces = try spm.encodePieces(rest)
            let pieceIds = targetSide ? targetPieceIds : sourcePieceIds
            for k in pieces.ids.indices {
                let p = pieces.pieces[k], o = pieces.offsets[k]
                // Runs of unknown characters are one piece that is not the model's <unk>: look it up
                // by its text (vocab.json may still hold it); other pieces map through the table.
                let spmId = Int(pieces.ids[k])
                let vocabId = spm.pieceType(pieces.ids[k]) == .unknown ? id(p) : pieceIds[spmId]
                out.append(Token(token: p, id: vocabId, offset: (restStart + o.lowerBound)..<(restStart + o.upperBound)))
            }
        }
        return out
    }

    /// The first index of `needle` in `haystack` (Python's `str.find` on ASCII needles).
    static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }

    /// `tokenizer(text)` (or `tokenizer(text_target=text)`): ids with "</s>" appended.
    func encode(_ text: String, pair: String?, addSpecialTokens: Bool, targetSide: Bool) throws -> Encoding {
        var tokens = try tokenize(text, targetSide: targetSide)
        let firstCount = tokens.count
        if let pair { tokens += try tokenize(pair, targetSide: targetSide) }
        var ids = tokens.map(\.id)
        var strings = tokens.map(\.token)
        // Offsets in code points, as HF tokenizers report them.
        var offsets = SentencePieceUTF8.scalarOffsets(tokens[..<firstCount].map(\.offset), in: text)
        if let pair { offsets += SentencePieceUTF8.scalarOffsets(tokens[firstCount...].map(\.offset), in: pair) }
        // prepare_for_model: without special tokens the mask and the token types are all zeros.
        var mask = [Int32](repeating: 0, count: ids.count)
        var typeIds = [Int32](repeating: 0, count: ids.count)
        if addSpecialTokens {
            mask = ids.map { maskedSpecialIds.contains($0) ? 1 : 0 }
            ids.append(eosId)
            strings.append(addedTokens[eosId]?.content ?? "</s>")
            offsets.append(0..<0)
            mask.append(1)
            // create_token_type_ids_from_sequences ("bert_style"): zeros for the first sequence and
            // one eos-sized slot, ones for the rest.
            typeIds = [Int32](repeating: 0, count: ids.count)
            if pair != nil { for i in ids.indices where i > firstCount { typeIds[i] = 1 } }
        }
        return Encoding(ids: ids, tokens: strings, offsets: offsets, typeIds: typeIds,
                        specialTokensMask: mask, attentionMask: [Int32](repeating: 1, count: ids.count))
    }

    package func encode(_ text: String, pair: String?, addSpecialTokens: Bool) throws -> Encoding {
        try TextLimits.check(text, pair)
        return try encode(text, pair: pair, addSpecialTokens: addSpecialTokens, targetSide: false)
    }

    /// `tokenizer(text_target=text)`: target.spm, and target_vocab.json with separate vocabularies.
    package func encodeTarget(_ text: String, addSpecialTokens: Bool) throws -> Encoding {
        try TextLimits.check(text)
        return try encode(text, pair: nil, addSpecialTokens: addSpecialTokens, targetSide: true)
    }

    /// `tokenizer.decode(ids, skip_special_tokens:)`. As transformers 5.23 does, a joint
    /// vocabulary decodes with source.spm and separate vocabularies with target.spm; ids missing
    /// from the vocabulary fall back to that model's pieces; other ids throw.
    package func decode(_ ids: [Int32], skipSpecialTokens: Bool) throws -> String {
        let useSource = !configuration.separateVocabs
        let spm = useSource ? source : target
        let skip = skipSpecialTokens ? specialTokenIds : []
        // convert_ids_to_tokens, then convert_tokens_to_string: special tokens verbatim (followed by
        // a space), runs of other tokens through the SentencePiece decoder; then U+2581 -> space and
        // strip. Whether a token's string is a special token depends only on its id (precomputed).
        var out = ""
        var run: [String] = []
        for id in ids where !skip.contains(id) {
            let t: String
            if let a = addedTokens[id] {
                t = a.content
            } else if let d = decoder[id] {
                t = d
            } else if let p = spm.idToPiece(id) {
                t = p
            } else {
                throw InputError.invalidArgument("MarianTokenizer: id \(id) is outside the vocabulary")
            }
            if idsDecodingAsSpecial.contains(id) {
                out += spm.decode(pieces: run) + t + " "
                run.removeAll(keepingCapacity: true)
            } else {
                run.append(t)
            }
        }
        out += spm.decode(pieces: run)
        out = PythonString.strip(PythonString.replace(out, "\u{2581}", " "))
        return configuration.cleanUpTokenizationSpaces ? PythonString.cleanUpTokenization(out) : out
    }

    package func tokenToId(_ token: String) -> Int32? {
        addedEncoder[PythonKey(token)] ?? encoder[PythonKey(token)]
    }

    /// `convert_ids_to_tokens(id)`; ids missing from the vocabulary fall back to target.spm's pieces
    /// (transformers' state before any decode call).
    package func idToToken(_ id: Int32) -> String? {
        addedTokens[id]?.content ?? decoder[id] ?? target.idToPiece(id)
    }

}
