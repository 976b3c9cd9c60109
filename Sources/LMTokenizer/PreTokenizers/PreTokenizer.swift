import LMInput

// Follows HF tokenizers' pre-tokenizers (pre_tokenizers/*.rs, tokenizers 0.23).


/// The "pre_tokenizer" section of tokenizer.json.
package indirect enum PreTokenizerConfig: Decodable, Sendable {
    package enum Kind: String, Sendable {
        case bert = "BertPreTokenizer", byteLevel = "ByteLevel", charDelimiterSplit = "CharDelimiterSplit"
        case metaspace = "Metaspace", whitespace = "Whitespace", whitespaceSplit = "WhitespaceSplit"
        case sequence = "Sequence", split = "Split", punctuation = "Punctuation", digits = "Digits"
        case unicodeScripts = "UnicodeScripts", fixedLength = "FixedLength"
    }
    /// Metaspace's `prepend_scheme`.
    package enum PrependScheme: String, Decodable, Sendable { case first, never, always }

    case bert, whitespace, whitespaceSplit, unicodeScripts
    case byteLevel(addPrefixSpace: Bool, trimOffsets: Bool, useRegex: Bool)
    case charDelimiterSplit(Character)
    case metaspace(replacement: Character, prependScheme: PrependScheme, split: Bool)
    case sequence([PreTokenizerConfig])
    case split(pattern: PatternConfig, behavior: SplitDelimiterBehavior, invert: Bool)
    case punctuation(SplitDelimiterBehavior)
    case digits(individualDigits: Bool)
    case fixedLength(Int)

    package init(from decoder: Decoder) throws {
        let kind: Kind = try decodeKind(decoder, "pre_tokenizer")
        let c = try decoder.container(keyedBy: AnyKey.self)
        switch kind {
        case .bert: self = .bert
        case .whitespace: self = .whitespace
        case .whitespaceSplit: self = .whitespaceSplit
        case .unicodeScripts: self = .unicodeScripts
        case .byteLevel:
            self = .byteLevel(addPrefixSpace: try c.get("add_prefix_space", true), trimOffsets: try c.get("trim_offsets", true),
                              useRegex: try c.get("use_regex", true))
        case .charDelimiterSplit:
            self = .charDelimiterSplit(try singleCharacter(c, "delimiter", "CharDelimiterSplit"))
        case .metaspace:
            let (r, scheme, split) = try metaspaceFields(c)
            self = .metaspace(replacement: r, prependScheme: scheme, split: split)
        case .sequence: self = .sequence(try c.require("pretokenizers"))
        case .split:
            self = .split(pattern: try c.require("pattern"), behavior: try c.require("behavior"), invert: try c.get("invert", false))
        case .punctuation: self = .punctuation(try c.get("behavior", .isolated))
        case .digits: self = .digits(individualDigits: try c.get("individual_digits", false))
        case .fixedLength:
            let n: Int = try c.get("length", 5)
            guard n > 0 else { throw InputError.format("tokenizer.json: FixedLength length must be positive, got \(n)") }
            self = .fixedLength(n)
        }
    }
}

/// A JSON string that must hold exactly one Unicode scalar (Rust `char`).
func singleCharacter(_ c: KeyedDecodingContainer<AnyKey>, _ key: String, _ component: String) throws -> Character {
    let s: String = try c.require(key)
    guard s.unicodeScalars.count == 1, let ch = s.first else {
        throw InputError.format("tokenizer.json: \(component) \(key) must be a single character, got \(s.debugDescription)")
    }
    return ch
}

/// Metaspace fields, including the legacy `add_prefix_space` (HF's MetaspaceHelper).
func metaspaceFields(_ c: KeyedDecodingContainer<AnyKey>) throws
    -> (Character, PreTokenizerConfig.PrependScheme, Bool) {
    let replacement = try singleCharacter(c, "replacement", "Metaspace")
    var scheme: PreTokenizerConfig.PrependScheme = try c.get("prepend_scheme", .always)
    if let add: Bool = try c.get("add_prefix_space"), !add {
        guard scheme == .never else {
            throw InputError.format("tokenizer.json: Metaspace add_prefix_space does not match declared prepend_scheme")
        }
        scheme = .never
    }
    return (replacement, scheme, try c.get("split", true))
}

/// A ready-to-run pre-tokenizer.
indirect enum PreTokenizer: Sendable {
    case bert, whitespace, whitespaceSplit, unicodeScripts
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool, regex: OnigurumaPattern)
    case charDelimiterSplit(UInt32)
    case metaspace(replacement: UInt32, prependScheme: PreTokenizerConfig.PrependScheme, split: Bool)
    case sequence([PreTokenizer])
    case split(SplitPattern, SplitDelimiterBehavior)
    case punctuation(SplitDelimiterBehavior)
    case digits(individualDigits: Bool)
    case fixedLength(Int)

    /// GPT-2's pattern, as HF's ByteLevel compiles it.
    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    init(_ config: PreTokenizerConfig) throws {
        switch config {
        case .bert: self = .bert
        case .whitespace: self = .whitespace
        case .whitespaceSplit: self = .whitespaceSplit
        case .unicodeScripts: self = .unicodeScripts
        case let .byteLevel(add, _, useRegex):
            self = .byteLevel(addPrefixSpace: add, useRegex: useRegex,
                              regex: try OnigurumaPattern(PreTokenizer.gpt2Pattern, context: "ByteLevel"))
        case .charDelimiterSplit(let ch): self = .charDelimiterSplit(ch.unicodeScalars.first?.value ?? 0)
        case let .metaspace(r, scheme, split):
            self = .metaspace(replacement: r.unicodeScalars.first?.value ?? 0x2581, prependScheme: scheme, split: split)
        case .sequence(let list): self = .sequence(try list.map(PreTokenizer.init))
        case let .split(pattern, behavior, invert):
            let p = try pattern.compile(context: "pre_tokenizer Split")
            self = .split(invert ? .inverted(p) : p, behavior)
        case .punctuation(let b): self = .punctuation(b)
        case .digits(let d): self = .digits(individualDigits: d)
        case .fixedLength(let n): self = .fixedLength(n)
        }
    }

    func preTokenize(_ p: inout PreTokenizedString) throws {
        switch self {
        case .bert:
            try p.split { try $0.split(.property(.whiteSpace), behavior: .removed) }
            try p.split { try $0.split(.property(.punctuation), behavior: .isolated) }
        case .whitespace:
            let data = UnicodeData.shared
            try p.split { try PreTokenizer.whitespaceSplit($0, data) }
        case .whitespaceSplit:
            try p.split { try $0.split(.property(.whiteSpace), behavior: .removed) }
        case .unicodeScripts:
            try p.split { try PreTokenizer.scriptSplit($0) }
        case let .byteLevel(add, useRegex, regex):
            // Split on GPT-2's pattern, then map every byte: done in one step per piece (the same
            // bytes and alignments as HF's split followed by its normalize pass).
            try p.split { n in
                var n = n
                if add && n.normalized.first != 0x20 { n.prepend([0x20]) }
                guard useRegex else {
                    ByteLevelAlphabet.mapBytes(&n)
                    return [n]
                }
                let matches = try n.normalized.withUnsafeBufferPointer { try regex.matches(in: $0) }
                var pieces: [NormalizedString] = []
                pieces.reserveCapacity(matches.count * 2 + 1)
                var previous = 0
                func emit(_ r: Range<Int>) throws {
                    guard !r.isEmpty else { return }
                    guard let piece = ByteLevelAlphabet.mappedSlice(of: n, r) else {
                        throw InputError.invalidArgument("ByteLevel: split off character boundaries")
                    }
                    pieces.append(piece)
                }
                for m in matches {
                    try emit(previous..<m.lowerBound)
                    try emit(m)
                    previous = m.upperBound
                }
                try emit(previous..<n.normalized.count)
                return pieces
            }
        case .charDelimiterSplit(let d):
            try p.split { try $0.split(.scalar(d), behavior: .removed) }
        case let .metaspace(r, scheme, split):
            var rep = [UInt8]()
            UTF8Scalar.append(r, to: &rep)
            try p.split { n in
                var n = n
                try n.replace(.scalar(0x20), with: [r])
                let starts = n.normalized.starts(with: rep)
                switch scheme {
                case .always: if !starts { n.prepend([r]) }
                case .first: if !starts && n.originalShift == 0 { n.prepend([r]) }
                case .never: break
                }
                return split ? try n.split(.scalar(r), behavior: .mergedWithNext) : [n]
            }
        case .sequence(let list):
            for x in list { try x.preTokenize(&p) }
        case let .split(pattern, behavior):
            try p.split { try $0.split(pattern, behavior: behavior) }
        case .punctuation(let b):
            try p.split { try $0.split(.property(.punctuation), behavior: b) }
        case .digits(let individual):
            try p.split { try $0.split(.property(.numeric), behavior: individual ? .isolated : .contiguous) }
        case .fixedLength(let length):
            try p.split { n in
                var out: [NormalizedString] = []
                var i = 0
                let bytes = n.normalized
                while i < bytes.count {
                    var j = i, k = 0
                    while j < bytes.count && k < length { j += UTF8Scalar.length(leadByte: bytes[j]); k += 1 }
                    j = min(j, bytes.count)
                    guard let piece = n.slice(normalized: i..<j) else {
                        throw InputError.invalidArgument("FixedLength: failed to slice normalized text")
                    }
                    out.append(piece)
                    i = j
                }
                return out
            }
        }
    }

    /// HF's Whitespace: the regex-crate pattern `\w+|[^\w\s]+` kept, everything else removed.
    static func whitespaceSplit(_ n: NormalizedString, _ data: UnicodeData) throws -> [NormalizedString] {
        // Classify each scalar: 1 = word, 2 = other non-space, 0 = space; runs of 1 or 2 are kept.
        var out: [NormalizedString] = []
        let bytes = n.normalized
        var i = 0
        var runStart = 0, runClass = 0
        func close(_ end: Int) throws {
            if runClass != 0, end > runStart {
                guard let piece = n.slice(normalized: runStart..<end) else {
                    throw InputError.invalidArgument("Whitespace: bad split")
                }
                out.append(piece)
            }
        }
        while i < bytes.count {
            let (c, len) = UTF8Scalar.decode(bytes, at: i)
            let cls = data.has(c, .word) ? 1 : data.has(c, .whiteSpace) ? 0 : 2
            if cls != runClass {
                try close(i)
                runStart = i
                runClass = cls
            }
            i += len
        }
        try close(bytes.count)
        return out
    }

    /// HF's UnicodeScripts: split where the (fixed-up) script changes, "Any" never splitting.
    static func scriptSplit(_ n: NormalizedString) throws -> [NormalizedString] {
        let data = UnicodeData.shared
        var cuts: [Int] = []
        var last: UInt32? = nil
        var i = 0
        let bytes = n.normalized
        while i < bytes.count {
            let (c, len) = UTF8Scalar.decode(bytes, at: i)
            let script = c == 0x20 ? 0 : data.scriptClass(c)
            if script != 0 && last != 0 && last != script { cuts.append(i) }
            if script != 0 { last = script }
            i += len
        }
        cuts.append(bytes.count)
        var out: [NormalizedString] = []
        if cuts.count >= 2 {
            for k in 0..<(cuts.count - 1) {
                guard let piece = n.slice(normalized: cuts[k]..<cuts[k + 1]) else {
                    throw InputError.invalidArgument("UnicodeScripts: bad split")
                }
                out.append(piece)
            }
        }
        return out
    }
}
