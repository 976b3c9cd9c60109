import LMInput

// Follows HF tokenizers' decoders (decoders/*.rs, tokenizers 0.23): each turns the token list
// into a new list (`decode_chain`); the final text is their concatenation.


/// The "decoder" section of tokenizer.json.
package indirect enum DecoderConfig: Decodable, Sendable {
    package enum Kind: String, Sendable {
        case byteLevel = "ByteLevel", metaspace = "Metaspace", wordPiece = "WordPiece", bpe = "BPEDecoder"
        case byteFallback = "ByteFallback", fuse = "Fuse", strip = "Strip", replace = "Replace", ctc = "CTC"
        case sequence = "Sequence"
    }
    case byteLevel, byteFallback, fuse
    case metaspace(replacement: Character, prependScheme: PreTokenizerConfig.PrependScheme, split: Bool)
    case wordPiece(prefix: String, cleanup: Bool)
    case bpe(suffix: String)
    case strip(content: Character, start: Int, stop: Int)
    case replace(pattern: PatternConfig, content: String)
    case ctc(padToken: String, wordDelimiterToken: String, cleanup: Bool)
    case sequence([DecoderConfig])

    package init(from decoder: Decoder) throws {
        let kind: Kind = try decodeKind(decoder, "decoder")
        let c = try decoder.container(keyedBy: AnyKey.self)
        switch kind {
        case .byteLevel: self = .byteLevel
        case .byteFallback: self = .byteFallback
        case .fuse: self = .fuse
        case .metaspace:
            let (r, scheme, split) = try metaspaceFields(c)
            self = .metaspace(replacement: r, prependScheme: scheme, split: split)
        case .wordPiece: self = .wordPiece(prefix: try c.get("prefix", "##"), cleanup: try c.get("cleanup", true))
        case .bpe: self = .bpe(suffix: try c.get("suffix", "</w>"))
        case .strip:
            let start: Int = try c.get("start", 0), stop: Int = try c.get("stop", 0)
            guard start >= 0, stop >= 0 else { throw InputError.format("tokenizer.json: Strip decoder start/stop must not be negative") }
            self = .strip(content: try singleCharacter(c, "content", "Strip decoder"), start: start, stop: stop)
        case .replace: self = .replace(pattern: try c.require("pattern"), content: try c.require("content"))
        case .ctc:
            self = .ctc(padToken: try c.get("pad_token", "<pad>"), wordDelimiterToken: try c.get("word_delimiter_token", "|"),
                        cleanup: try c.get("cleanup", true))
        case .sequence: self = .sequence(try c.require("decoders"))
        }
    }
}

/// A ready-to-run decoder.
indirect enum TokenDecoder: Sendable {
    case byteLevel, byteFallback, fuse
    case metaspace(replacement: Unicode.Scalar, prependScheme: PreTokenizerConfig.PrependScheme)
    case wordPiece(prefix: String, cleanup: Bool)
    case bpe(suffix: String)
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    case replace(SplitPattern, String)
    case ctc(padToken: String, wordDelimiterToken: String, cleanup: Bool)
    case sequence([TokenDecoder])

    init(_ config: DecoderConfig) throws {
        switch config {
        case .byteLevel: self = .byteLevel
        case .byteFallback: self = .byteFallback
        case .fuse: self = .fuse
        case let .metaspace(r, scheme, _): self = .metaspace(replacement: r.unicodeScalars.first ?? "\u{2581}", prependScheme: scheme)
        case let .wordPiece(p, c): self = .wordPiece(prefix: p, cleanup: c)
        case .bpe(let s): self = .bpe(suffix: s)
        case let .strip(c, a, b): self = .strip(content: c.unicodeScalars.first ?? " ", start: a, stop: b)
        case let .replace(p, c): self = .replace(try p.compile(context: "decoder Replace"), c)
        case let .ctc(p, w, c): self = .ctc(padToken: p, wordDelimiterToken: w, cleanup: c)
        case .sequence(let list): self = .sequence(try list.map(TokenDecoder.init))
        }
    }

    func decode(_ tokens: [String]) throws -> String {
        try decodeChain(tokens).joined()
    }

    /// HF's WordPiece `cleanup`, also used by CTC and transformers' clean_up_tokenization.
    static func cleanup(_ s: String) -> String {
        var t = s
        for (a, b) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                       (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            t = t.replacingAll(a, with: b)
        }
        return t
    }

    func decodeChain(_ tokens: [String]) throws -> [String] {
        switch self {
        case .byteLevel:
            var bytes: [UInt8] = []
            for t in tokens {
                var mapped: [UInt8] = []
                var ok = true
                for s in t.unicodeScalars {
                    guard let b = ByteLevelAlphabet.byte(for: s.value) else { ok = false; break }
                    mapped.append(b)
                }
                bytes.append(contentsOf: ok ? mapped : Array(t.utf8))
            }
            return [String(decoding: bytes, as: UTF8.self)]
        case .byteFallback:
            var out: [String] = []
            var pending: [UInt8] = []
            func flush() {
                guard !pending.isEmpty else { return }
                if let s = String(validating: pending, as: UTF8.self) {
                    out.append(s)
                } else {
                    for _ in pending { out.append("\u{FFFD}") }
                }
                pending.removeAll()
            }
            for t in tokens {
                let u = Array(t.utf8)
                if u.count == 6, u.starts(with: [0x3C, 0x30, 0x78]), u[5] == 0x3E, let b = UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16) {
                    pending.append(b)
                } else {
                    flush()
                    out.append(t)
                }
            }
            flush()
            return out
        case .fuse:
            return [tokens.joined()]
        case let .metaspace(r, scheme):
            return tokens.enumerated().map { i, t in
                var s = String.UnicodeScalarView()
                for ch in t.unicodeScalars {
                    if ch == r {
                        if !(i == 0 && scheme != .never) { s.append(" ") }
                    } else {
                        s.append(ch)
                    }
                }
                return String(s)
            }
        case let .wordPiece(prefix, cleanup):
            return tokens.enumerated().map { i, t in
                var token = t
                if i != 0 {
                    if token.utf8.starts(with: prefix.utf8) {
                        token = String(decoding: Array(token.utf8).dropFirst(prefix.utf8.count), as: UTF8.self)
                    } else {
                        token = " " + token
                    }
                }
                return cleanup ? TokenDecoder.cleanup(token) : token
            }
        case .bpe(let suffix):
            guard !tokens.isEmpty else { return [] }
            let n = tokens.count - 1
            return tokens.enumerated().map { i, t in t.replacingAll(suffix, with: i == n ? "" : " ") }
        case let .strip(content, start, stop):
            return tokens.map { t in
                let chars = Array(t.unicodeScalars)
                var startCut = 0
                for i in 0..<min(start, chars.count) {
                    if chars[i] == content { startCut = i + 1 } else { break }
                }
                var stopCut = chars.count
                for i in 0..<min(stop, chars.count) {
                    let index = chars.count - i - 1
                    if chars[index] == content { stopCut = index } else { break }
                }
                guard startCut <= stopCut else { return "" }
                var v = String.UnicodeScalarView()
                v.append(contentsOf: chars[startCut..<stopCut])
                return String(v)
            }
        case let .replace(pattern, content):
            return try tokens.map { t in
                let bytes = Array(t.utf8)
                var out = ""
                for (r, isMatch) in try pattern.findMatches(bytes) {
                    out += isMatch ? content : String(decoding: bytes[r.clamped(to: 0..<bytes.count)], as: UTF8.self)
                }
                return out
            }
        case let .ctc(pad, delimiter, cleanup):
            var out: [String] = []
            var previous: [UInt8]? = nil
            for t in tokens {
                let key = Array(t.utf8)
                if key == previous { continue }
                previous = key
                var r = t.replacingAll(pad, with: "")
                if cleanup { r = TokenDecoder.cleanup(r).replacingAll(delimiter, with: " ") }
                if !r.isEmpty { out.append(r) }
            }
            return out
        case .sequence(let list):
            var t = tokens
            for d in list { t = try d.decodeChain(t) }
            return t
        }
    }
}

extension String {
    /// Rust `str::replace`: every non-overlapping occurrence, left to right (an empty pattern
    /// inserts `replacement` between characters and at both ends, as Rust does).
    func replacingAll(_ target: String, with replacement: String) -> String {
        if target.isEmpty {
            var out = replacement
            for s in unicodeScalars { out.unicodeScalars.append(s); out += replacement }
            return out
        }
        let bytes = Array(utf8)
        let matches = SplitPattern.literalMatches(Array(target.utf8), in: bytes)
        if matches.isEmpty { return self }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var last = 0
        let rep = Array(replacement.utf8)
        for m in matches {
            out.append(contentsOf: bytes[last..<m.lowerBound])
            out.append(contentsOf: rep)
            last = m.upperBound
        }
        out.append(contentsOf: bytes[last...])
        return String(decoding: out, as: UTF8.self)
    }
}
