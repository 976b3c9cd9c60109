import LMInput

// Follows HF tokenizers' post-processors (processors/*.rs, pre_tokenizers/byte_level.rs,
// tokenizers 0.23): special tokens around one sequence or a pair, type ids, offset trimming.


/// The "post_processor" section of tokenizer.json.
package indirect enum PostProcessorConfig: Decodable, Sendable {
    package enum Kind: String, Sendable {
        case roberta = "RobertaProcessing", bert = "BertProcessing", byteLevel = "ByteLevel"
        case template = "TemplateProcessing", sequence = "Sequence"
    }
    /// One piece of a template: a sequence ($A / $B) or a special token, with its type id.
    package enum Piece: Sendable, Equatable {
        case sequence(isPair: Bool, typeId: Int32)
        case special(id: String, typeId: Int32)
    }
    /// A special token of a template: one name standing for one or more ids.
    package struct SpecialToken: Sendable {
        package var id: String
        package var ids: [UInt32]
        package var tokens: [String]
    }

    case roberta(sep: (String, UInt32), cls: (String, UInt32), trimOffsets: Bool, addPrefixSpace: Bool)
    case bert(sep: (String, UInt32), cls: (String, UInt32))
    case byteLevel(trimOffsets: Bool, addPrefixSpace: Bool)
    case template(single: [Piece], pair: [Piece], specialTokens: [String: SpecialToken])
    case sequence([PostProcessorConfig])

    package init(from decoder: Decoder) throws {
        let kind: Kind = try decodeKind(decoder, "post_processor")
        let c = try decoder.container(keyedBy: AnyKey.self)
        func tokenPair(_ key: String) throws -> (String, UInt32) {
            var u = try c.nestedUnkeyedContainer(forKey: AnyKey(stringValue: key))
            let token = try u.decode(String.self)
            let id = try u.decode(Double.self)
            guard id >= 0, id <= Double(Int32.max), id == id.rounded() else {
                throw InputError.format("tokenizer.json: post_processor \(key) id \(id) is out of range")
            }
            return (token, UInt32(id))
        }
        switch kind {
        case .roberta:
            self = .roberta(sep: try tokenPair("sep"), cls: try tokenPair("cls"), trimOffsets: try c.get("trim_offsets", true),
                            addPrefixSpace: try c.get("add_prefix_space", true))
        case .bert:
            self = .bert(sep: try tokenPair("sep"), cls: try tokenPair("cls"))
        case .byteLevel:
            self = .byteLevel(trimOffsets: try c.get("trim_offsets", true), addPrefixSpace: try c.get("add_prefix_space", true))
        case .template:
            let single = try PostProcessorConfig.template(c, "single")
            let pair = try PostProcessorConfig.template(c, "pair")
            var specials: [String: SpecialToken] = [:]
            if let map = try? c.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(stringValue: "special_tokens")) {
                for key in map.allKeys {
                    let t = try map.nestedContainer(keyedBy: AnyKey.self, forKey: key)
                    let tok = SpecialToken(id: try t.require("id"), ids: try t.require("ids"), tokens: try t.require("tokens"))
                    guard tok.ids.count == tok.tokens.count else {
                        throw InputError.format("tokenizer.json: TemplateProcessing special token \(key.stringValue.debugDescription) has \(tok.ids.count) ids but \(tok.tokens.count) tokens")
                    }
                    specials[key.stringValue] = tok
                }
            }
            for piece in single + pair {
                if case .special(let id, _) = piece, specials[id] == nil {
                    throw InputError.format("tokenizer.json: TemplateProcessing uses special token \(id.debugDescription) that is not in special_tokens")
                }
            }
            self = .template(single: single, pair: pair, specialTokens: specials)
        case .sequence:
            self = .sequence(try c.require("processors"))
        }
    }

    private static func template(_ c: KeyedDecodingContainer<AnyKey>, _ key: String) throws -> [Piece] {
        let k = AnyKey(stringValue: key)
        if let strings = try? c.decode([String].self, forKey: k) { return try strings.map(parsePiece) }
        if let s = try? c.decode(String.self, forKey: k) {
            return try s.split(separator: " ").map { try parsePiece(String($0)) }
        }
        var u = try c.nestedUnkeyedContainer(forKey: k)
        var out: [Piece] = []
        while !u.isAtEnd {
            let p = try u.nestedContainer(keyedBy: AnyKey.self)
            if p.contains(AnyKey(stringValue: "Sequence")) {
                let s = try p.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(stringValue: "Sequence"))
                let id: String = try s.require("id")
                guard id == "A" || id == "B" else { throw InputError.format("tokenizer.json: template sequence id must be A or B, got \(id.debugDescription)") }
                out.append(.sequence(isPair: id == "B", typeId: try s.get("type_id", 0)))
            } else if p.contains(AnyKey(stringValue: "SpecialToken")) {
                let s = try p.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(stringValue: "SpecialToken"))
                out.append(.special(id: try s.require("id"), typeId: try s.get("type_id", 0)))
            } else {
                throw InputError.format("tokenizer.json: template piece in \(key) must be Sequence or SpecialToken")
            }
        }
        return out
    }

    /// HF's string form: "$A", "$B:1", "$0", "[CLS]", "[SEP]:1".
    private static func parsePiece(_ s: String) throws -> Piece {
        var name = Substring(s)
        var typeId: Int32 = 0
        if let colon = s.lastIndex(of: ":"), let t = Int32(s[s.index(after: colon)...]) {
            name = s[..<colon]
            typeId = t
        }
        if name.hasPrefix("$") {
            let rest = name.dropFirst()
            switch rest {
            case "", "A", "a": return .sequence(isPair: false, typeId: typeId)
            case "B", "b": return .sequence(isPair: true, typeId: typeId)
            default:
                if let n = Int32(rest) { return .sequence(isPair: false, typeId: n) }
                throw InputError.format("tokenizer.json: cannot parse template piece \(s.debugDescription)")
            }
        }
        return .special(id: String(name), typeId: typeId)
    }
}

/// An encoding under construction (char offsets, possibly reversed by HF's quirks).
struct WorkEncoding: Sendable {
    var ids: [Int32] = []
    var tokens: [String] = []
    var offsets: [(Int, Int)] = []
    var typeIds: [Int32] = []
    var specialTokensMask: [Int32] = []
    var attentionMask: [Int32] = []

    var count: Int { ids.count }

    mutating func reserveCapacity(_ n: Int) {
        ids.reserveCapacity(n); tokens.reserveCapacity(n); offsets.reserveCapacity(n)
        typeIds.reserveCapacity(n); specialTokensMask.reserveCapacity(n); attentionMask.reserveCapacity(n)
    }

    /// `first` + `middle` + `last`, sized once.
    static func surround(_ first: WorkEncoding, _ middle: WorkEncoding, _ last: WorkEncoding) -> WorkEncoding {
        var out = first
        out.reserveCapacity(first.count + middle.count + last.count)
        out.append(middle)
        out.append(last)
        return out
    }

    mutating func append(_ other: WorkEncoding) {
        ids += other.ids; tokens += other.tokens; offsets += other.offsets
        typeIds += other.typeIds; specialTokensMask += other.specialTokensMask; attentionMask += other.attentionMask
    }

    static func specials(ids: [Int32], tokens: [String], typeId: Int32) -> WorkEncoding {
        WorkEncoding(ids: ids, tokens: tokens, offsets: Array(repeating: (0, 0), count: ids.count),
                     typeIds: Array(repeating: typeId, count: ids.count), specialTokensMask: Array(repeating: 1, count: ids.count),
                     attentionMask: Array(repeating: 1, count: ids.count))
    }

    mutating func setTypeIds(_ t: Int32) { typeIds = Array(repeating: t, count: ids.count) }

    /// Keeps `maxLength` tokens from the right or left end.
    mutating func truncate(_ maxLength: Int, left: Bool) {
        guard maxLength < count else { return }
        let r = left ? (count - maxLength)..<count : 0..<maxLength
        ids = Array(ids[r]); tokens = Array(tokens[r]); offsets = Array(offsets[r])
        typeIds = Array(typeIds[r]); specialTokensMask = Array(specialTokensMask[r]); attentionMask = Array(attentionMask[r])
    }
}

/// A ready-to-run post-processor.
indirect enum PostProcessor: Sendable {
    case roberta(sep: (String, Int32), cls: (String, Int32), trimOffsets: Bool, addPrefixSpace: Bool)
    case bert(sep: (String, Int32), cls: (String, Int32))
    case byteLevel(trimOffsets: Bool, addPrefixSpace: Bool)
    case template(single: [PostProcessorConfig.Piece], pair: [PostProcessorConfig.Piece], specials: [String: ([Int32], [String])])
    case sequence([PostProcessor])

    init(_ config: PostProcessorConfig) throws {
        func id(_ v: UInt32, _ what: String) throws -> Int32 {
            guard v <= UInt32(Int32.max) else { throw InputError.format("tokenizer.json: post_processor \(what) id \(v) is out of range") }
            return Int32(v)
        }
        switch config {
        case let .roberta(sep, cls, trim, add):
            self = .roberta(sep: (sep.0, try id(sep.1, "sep")), cls: (cls.0, try id(cls.1, "cls")), trimOffsets: trim, addPrefixSpace: add)
        case let .bert(sep, cls):
            self = .bert(sep: (sep.0, try id(sep.1, "sep")), cls: (cls.0, try id(cls.1, "cls")))
        case let .byteLevel(trim, add): self = .byteLevel(trimOffsets: trim, addPrefixSpace: add)
        case let .template(single, pair, specials):
            var map: [String: ([Int32], [String])] = [:]
            for (k, v) in specials { map[k] = (try v.ids.map { try id($0, k) }, v.tokens) }
            self = .template(single: single, pair: pair, specials: map)
        case .sequence(let list): self = .sequence(try list.map(PostProcessor.init))
        }
    }

    /// HF `added_tokens(is_pair)`.
    func addedTokens(isPair: Bool) -> Int {
        switch self {
        case .roberta, .bert: return isPair ? 4 - (isBert ? 1 : 0) : 2
        case .byteLevel: return 0
        case let .template(single, pair, specials):
            return (isPair ? pair : single).reduce(0) { n, p in
                if case .special(let id, _) = p { return n + (specials[id]?.0.count ?? 0) }
                return n
            }
        case .sequence(let list): return list.reduce(0) { $0 + $1.addedTokens(isPair: isPair) }
        }
    }

    private var isBert: Bool { if case .bert = self { return true } else { return false } }

    /// HF `process`: type ids per sequence, then `process_encodings`, then merge.
    func process(_ encodings: [WorkEncoding], addSpecialTokens: Bool) throws -> WorkEncoding {
        var list = encodings
        for i in list.indices { list[i].setTypeIds(Int32(i)) }
        let processed = try processEncodings(list, addSpecialTokens: addSpecialTokens)
        if processed.count == 1, let only = processed.first { return only }
        var merged = WorkEncoding()
        merged.reserveCapacity(processed.reduce(0) { $0 + $1.count })
        for e in processed { merged.append(e) }
        return merged
    }

    func processEncodings(_ encodings: [WorkEncoding], addSpecialTokens: Bool) throws -> [WorkEncoding] {
        var list = encodings
        switch self {
        case let .byteLevel(trim, add):
            if trim { for i in list.indices { PostProcessor.trimOffsets(&list[i], addPrefixSpace: add) } }
            return list
        case let .roberta(sep, cls, trim, add):
            if trim { for i in list.indices { PostProcessor.trimOffsets(&list[i], addPrefixSpace: add) } }
            for i in list.indices { list[i].setTypeIds(0) }
            guard addSpecialTokens else { return list }
            return list.enumerated().map { i, e in
                .surround(.specials(ids: [i == 0 ? cls.1 : sep.1], tokens: [i == 0 ? cls.0 : sep.0], typeId: 0), e,
                          .specials(ids: [sep.1], tokens: [sep.0], typeId: 0))
            }
        case let .bert(sep, cls):
            guard addSpecialTokens else { return list }
            return list.enumerated().map { i, e in
                if i == 0 {
                    return .surround(.specials(ids: [cls.1], tokens: [cls.0], typeId: 0), e,
                                     .specials(ids: [sep.1], tokens: [sep.0], typeId: 0))
                }
                var out = e
                out.append(.specials(ids: [sep.1], tokens: [sep.0], typeId: 1))
                return out
            }
        case let .template(single, pair, specials):
            let template: [PostProcessorConfig.Piece]
            switch list.count {
            case 1: template = single
            case 2: template = pair
            default: throw InputError.invalidArgument("TemplateProcessing: expected 1 or 2 sequences, got \(list.count)")
            }
            var out: [WorkEncoding] = []
            for piece in template {
                switch piece {
                case let .sequence(isPair, typeId):
                    let i = isPair ? 1 : 0
                    guard i < list.count else {
                        throw InputError.invalidArgument("TemplateProcessing: the template uses $B but no pair was given")
                    }
                    list[i].setTypeIds(typeId)
                    out.append(list[i])
                case let .special(id, typeId):
                    if addSpecialTokens, let (ids, tokens) = specials[id] {
                        out.append(.specials(ids: ids, tokens: tokens, typeId: typeId))
                    }
                }
            }
            return out
        case .sequence(let processors):
            for p in processors { list = try p.processEncodings(list, addSpecialTokens: addSpecialTokens) }
            return list
        }
    }

    /// HF `process_offsets` (ByteLevel trim_offsets): leading/trailing 'Ġ' or whitespace scalars of a
    /// token are dropped from its offsets.
    static func trimOffsets(_ e: inout WorkEncoding, addPrefixSpace: Bool) {
        let data = UnicodeData.shared
        let space = ByteLevelAlphabet.byteToScalar[0x20]
        @inline(__always) func isSpace(_ s: Unicode.Scalar) -> Bool { s.value == space || data.has(s.value, .whiteSpace) }
        for i in e.ids.indices {
            let scalars = e.tokens[i].unicodeScalars
            var leading = 0
            var inLeading = true
            var trailing = 0
            for s in scalars {
                if isSpace(s) {
                    if inLeading { leading += 1 }
                    trailing += 1
                } else {
                    inLeading = false
                    trailing = 0
                }
            }
            guard leading > 0 || trailing > 0 else { continue }
            var (start, end) = e.offsets[i]
            if leading > 0 {
                let isFirst = i == 0 || start == 0
                if isFirst && addPrefixSpace && leading == 1 { leading = 0 }
                start = min(start + leading, end)
            }
            if trailing > 0 && end >= trailing {
                end = max(end - trailing, start)
            }
            e.offsets[i] = (start, end)
        }
    }
}
