// Follows HF tokenizers' TokenizerImpl (tokenizer/mod.rs, tokenizers 0.23): added tokens ->
// normalizer -> pre-tokenizer -> model -> truncation -> post-processor -> padding; decoding maps
// ids to tokens and runs the decoder. tokenizer_config.json adds what transformers' tokenizers
// backend does on top (see HFTokenizer+Config.swift).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LMInput

/// A tokenizer loaded from a Hugging Face tokenizer.json (optionally with tokenizer_config.json).
/// Immutable after loading and safe to share across threads.
///
/// Offsets in the returned ``Encoding`` are in Unicode scalars (code points) of the input, as
/// HF tokenizers reports them to Python.
package final class HFTokenizer: TextTokenizer, @unchecked Sendable {
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer?
    let model: TokenizerModel
    let postProcessor: PostProcessor?
    let decoder: TokenDecoder?
    let addedVocabulary: AddedVocabulary
    let truncation: TruncationConfig?
    let padding: PaddingConfig?
    let modelIsBPE: Bool

    /// What transformers adds on top of the raw tokenizer (from tokenizer_config.json).
    package let configuration: TransformersConfiguration

    /// Loads tokenizer.json (and tokenizer_config.json when given, to behave as transformers'
    /// `AutoTokenizer.from_pretrained`; without it, as `tokenizers.Tokenizer.from_file`).
    package static func load(tokenizerJSON: String, tokenizerConfig: String? = nil) throws -> HFTokenizer {
        let json = try readFile(tokenizerJSON)
        let config = try tokenizerConfig.map(readFile)
        return try HFTokenizer(tokenizerJSON: json, tokenizerConfig: config,
                               source: tokenizerJSON, configSource: tokenizerConfig ?? "tokenizer_config.json")
    }

    /// Loads from bytes; `source` names the data in error messages.
    package init(tokenizerJSON: Data, tokenizerConfig: Data? = nil, source: String = "tokenizer.json",
                configSource: String = "tokenizer_config.json") throws {
        let file = try TokenizerFile.parse(tokenizerJSON, source: source)
        var added = AddedVocabulary()
        do {
            normalizer = try file.normalizer.map(Normalizer.init)
            preTokenizer = try file.preTokenizer.map(PreTokenizer.init)
            switch file.model {
            case .bpe(let c): model = try BPEModel(c); modelIsBPE = true
            case .unigram(let c): model = try UnigramModel(c); modelIsBPE = false
            case .wordPiece(let c): model = try WordPieceModel(c); modelIsBPE = false
            case .wordLevel(let c): model = try WordLevelModel(c); modelIsBPE = false
            }
            decoder = try file.decoder.map(TokenDecoder.init)
            try added.add(file.addedTokens, model: model, normalizer: normalizer)
        } catch let e as InputError {
            throw e.prefixed(source)
        }
        truncation = file.truncation
        padding = file.padding
        let processor: PostProcessor?
        do {
            processor = try file.postProcessor.map(PostProcessor.init)
        } catch let e as InputError {
            throw e.prefixed(source)
        }
        if let tokenizerConfig {
            let config = try TransformersConfiguration(parsing: tokenizerConfig, source: configSource)
            configuration = config
            // transformers' tokenizers backend: special tokens named in the config join the added
            // vocabulary. (It drops add_bos_token/add_eos_token when a tokenizer.json exists, so the
            // post-processor stays as written.)
            try added.add(config.tokensToAdd(existing: added), model: model, normalizer: normalizer)
        } else {
            configuration = TransformersConfiguration()
        }
        addedVocabulary = added
        postProcessor = processor
        let m = model
        let overlapping = added.contentToId.keys.filter { m.tokenToId(String(decoding: $0, as: UTF8.self)) != nil }.count
        vocabularySize = m.vocabularySize + added.count - overlapping
    }

    /// A tokenizer file's bytes, through LMInput's FileBytes (Foundation's whole-file reads leaked
    /// 4 KiB per empty file; FileBytes also caps the size before allocating).
    static func readFile(_ path: String) throws -> Data {
        Data(try FileBytes.read(path))
    }

    // MARK: Vocabulary

    /// HF `get_vocab_size(with_added_tokens: true)`: the model's entries plus added tokens that
    /// are not among them.
    package let vocabularySize: Int

    package func tokenToId(_ token: String) -> Int32? {
        addedVocabulary.id(of: token) ?? model.tokenToId(token)
    }

    package func idToToken(_ id: Int32) -> String? {
        addedVocabulary.token(for: id) ?? model.idToToken(id)
    }

    /// transformers' `all_special_ids` when loaded with a tokenizer_config.json, otherwise the
    /// ids of added tokens marked special.
    package var specialTokenIds: Set<Int32> {
        if configuration.isPresent {
            return Set(configuration.allSpecialTokens.compactMap { tokenToId($0) })
        }
        return addedVocabulary.specialIds
    }

    // MARK: Encoding

    package func encode(_ text: String, pair: String?, addSpecialTokens: Bool) throws -> Encoding {
        try TextLimits.check(text, pair)
        let first = try encodeSequence(Array(text.utf8), typeId: 0)
        let second = try pair.map { try encodeSequence(Array($0.utf8), typeId: 1) }
        return try postProcess(first, second, addSpecialTokens: addSpecialTokens)
    }

    /// Encodes UTF-8 bytes; invalid sequences are replaced by U+FFFD first (as Python's
    /// `bytes.decode("utf-8", errors="replace")` would), so offsets refer to that repaired text.
    package func encode(utf8 bytes: [UInt8], addSpecialTokens: Bool = true) throws -> Encoding {
        try encode(String(decoding: bytes, as: UTF8.self), pair: nil, addSpecialTokens: addSpecialTokens)
    }

    /// The model tokens of one sequence, offsets already in scalars of `text`.
    func encodeSequence(_ text: [UInt8], typeId: Int32) throws -> WorkEncoding {
        // Offsets and positions are kept in 32 bits.
        guard text.count < Int(Int32.max) else {
            throw InputError.invalidArgument("text of \(text.count) bytes is beyond the 2 GB limit")
        }
        var p = try addedVocabulary.extractAndNormalize(text, normalizer: normalizer)
        try preTokenizer?.preTokenize(&p)
        let converter = CharOffsetConverter(text)
        var e = WorkEncoding()
        var out = ModelOutput()
        for split in p.splits {
            let n = split.normalized
            out.ids.removeAll(keepingCapacity: true)
            out.values.removeAll(keepingCapacity: true)
            out.starts.removeAll(keepingCapacity: true)
            out.ends.removeAll(keepingCapacity: true)
            if let tokens = split.tokens {
                for t in tokens { out.append(t.id, t.value, t.offsets.lowerBound, t.offsets.upperBound) }
            } else {
                try model.tokenize(n.normalized, into: &out)
            }
            // HF `into_encoding`: normalized offsets of each token -> original bytes -> scalars.
            let shift = n.originalShift
            for k in out.ids.indices {
                let r = Int(out.starts[k])..<max(Int(out.starts[k]), Int(out.ends[k]))
                let offsets: Range<Int>
                if let o = n.originalRange(ofNormalized: r) {
                    offsets = (shift + o.lowerBound)..<(shift + max(o.lowerBound, o.upperBound))
                } else {
                    offsets = r
                }
                e.ids.append(out.ids[k])
                e.tokens.append(out.values[k])
                e.offsets.append(converter.convert(offsets))
            }
        }
        e.typeIds = Array(repeating: typeId, count: e.ids.count)
        e.specialTokensMask = Array(repeating: 0, count: e.ids.count)
        e.attentionMask = Array(repeating: 1, count: e.ids.count)
        return e
    }

    func postProcess(_ first: WorkEncoding, _ second: WorkEncoding?, addSpecialTokens: Bool) throws -> Encoding {
        var a = first, b = second
        if let t = truncation, configuration.appliesTruncationAndPadding {
            let added = postProcessor?.addedTokens(isPair: b != nil) ?? 0
            var params = t
            if addSpecialTokens && added > 0 {
                guard t.maxLength >= added else {
                    throw InputError.invalidArgument("truncation max_length \(t.maxLength) is shorter than the \(added) special tokens")
                }
                params.maxLength = t.maxLength - added
            }
            try HFTokenizer.truncate(&a, &b, params)
        }
        var merged: WorkEncoding
        if let p = postProcessor {
            merged = try p.process(b.map { [a, $0] } ?? [a], addSpecialTokens: addSpecialTokens)
        } else {
            merged = a
            if var b {
                b.setTypeIds(1)
                merged.setTypeIds(0)
                merged.append(b)
            }
        }
        if let p = padding, configuration.appliesTruncationAndPadding { try HFTokenizer.pad(&merged, p) }
        return Encoding(ids: merged.ids, tokens: merged.tokens,
                        offsets: merged.offsets.map { $0.0..<max($0.0, $0.1) }, typeIds: merged.typeIds,
                        specialTokensMask: merged.specialTokensMask, attentionMask: merged.attentionMask)
    }

    /// HF `truncate_encodings` (overflowing pieces are dropped).
    static func truncate(_ a: inout WorkEncoding, _ b: inout WorkEncoding?, _ p: TruncationConfig) throws {
        let left = p.direction == .left
        func cut(_ e: inout WorkEncoding, _ n: Int) throws {
            if n < e.count && n > 0 && p.stride >= n {
                throw InputError.invalidArgument("truncation stride \(p.stride) must be smaller than the kept length \(n)")
            }
            e.truncate(n, left: left)
        }
        if p.maxLength == 0 {
            try cut(&a, 0)
            if var other = b { try cut(&other, 0); b = other }
            return
        }
        let total = a.count + (b?.count ?? 0)
        guard total > p.maxLength else { return }
        let toRemove = total - p.maxLength
        switch p.strategy {
        case .longestFirst:
            if var other = b {
                var n1 = a.count, n2 = other.count
                let swap = n1 > n2
                if swap { (n1, n2) = (n2, n1) }
                n2 = n1 > p.maxLength ? n1 : max(n1, p.maxLength - n1)
                if n1 + n2 > p.maxLength {
                    n1 = p.maxLength / 2
                    n2 = n1 + p.maxLength % 2
                }
                if swap { (n1, n2) = (n2, n1) }
                try cut(&a, n1)
                try cut(&other, n2)
                b = other
            } else {
                try cut(&a, total - toRemove)
            }
        case .onlyFirst, .onlySecond:
            if p.strategy == .onlyFirst {
                guard a.count > toRemove else { throw InputError.invalidArgument("truncation: the first sequence is too short to truncate") }
                try cut(&a, a.count - toRemove)
            } else {
                guard var other = b else { throw InputError.invalidArgument("truncation only_second needs a pair") }
                guard other.count > toRemove else { throw InputError.invalidArgument("truncation: the second sequence is too short to truncate") }
                try cut(&other, other.count - toRemove)
                b = other
            }
        }
    }

    /// HF `pad_encodings` for one encoding.
    static func pad(_ e: inout WorkEncoding, _ p: PaddingConfig) throws {
        var target: Int
        switch p.strategy {
        case .fixed(let n): target = n
        case .batchLongest: target = e.count
        }
        if let m = p.padToMultipleOf, m > 0, target % m != 0 {
            let (t, overflow) = target.addingReportingOverflow(m - target % m)
            target = overflow ? Int.max : t
        }
        guard target > e.count else { return }
        // A corrupt file must not make us allocate without bound.
        guard target - e.count <= 1 << 24 else {
            throw InputError.invalidArgument("padding to \(target) tokens is beyond the 16M-token limit")
        }
        let n = target - e.count
        var pad = WorkEncoding(ids: Array(repeating: p.padId, count: n), tokens: Array(repeating: p.padToken, count: n),
                               offsets: Array(repeating: (0, 0), count: n), typeIds: Array(repeating: p.padTypeId, count: n),
                               specialTokensMask: Array(repeating: 1, count: n), attentionMask: Array(repeating: 0, count: n))
        if p.direction == .left {
            pad.append(e)
            e = pad
        } else {
            e.append(pad)
        }
    }

    // MARK: Decoding

    /// The token strings `decode` works on (HF `decode`'s first step).
    package func decodeTokens(_ ids: [Int32], skipSpecialTokens: Bool) throws -> [String] {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let t = idToToken(id) else {
                throw InputError.invalidArgument("decode: id \(id) is not in the vocabulary (size \(vocabularySize))")
            }
            if skipSpecialTokens && addedVocabulary.isSpecial(t) { continue }
            tokens.append(t)
        }
        return tokens
    }

    package func decode(_ ids: [Int32], skipSpecialTokens: Bool) throws -> String {
        let tokens = try decodeTokens(ids, skipSpecialTokens: skipSpecialTokens)
        var text = try decoder?.decode(tokens) ?? tokens.joined(separator: " ")
        if configuration.cleanUpTokenizationSpaces && (!modelIsBPE || configuration.cleanUpEvenForBPE) {
            text = TransformersConfiguration.cleanUpTokenization(text)
        }
        return text
    }
}

extension InputError {
    /// Adds the file name to a message that lacks it.
    func prefixed(_ source: String) -> InputError {
        func fix(_ m: String) -> String { m.hasPrefix("tokenizer.json: ") ? source + ": " + m.dropFirst(16) : m }
        switch self {
        case .io(let m): return .io(fix(m))
        case .format(let m): return .format(fix(m))
        case .unsupported(let m): return .unsupported(fix(m))
        case .invalidArgument(let m): return .invalidArgument(fix(m))
        }
    }
}

/// HF's BytesToCharOffsetConverter: byte offsets of the original text to scalar offsets.
struct CharOffsetConverter {
    private var map: [Int32]

    init(_ text: [UInt8]) {
        map = [Int32](repeating: 0, count: text.count)
        var chars: Int32 = 0
        var i = 0
        while i < text.count {
            let n = min(UTF8Scalar.length(leadByte: text[i]), text.count - i)
            for k in 0..<n { map[i + k] = chars }
            chars &+= 1
            i += n
        }
    }

    func convert(_ r: Range<Int>) -> (Int, Int) {
        let start = r.lowerBound, end = r.upperBound
        guard start >= 0 && start < map.count else { return (start, end) }
        let s = Int(map[start])
        if end >= 0 && end < map.count { return (s, Int(map[end])) }
        let last = (end - 1 >= 0 && end - 1 < map.count) ? Int(map[end - 1]) : s + 1
        return (s, last + 1)
    }
}
