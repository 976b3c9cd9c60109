// Follows HF tokenizers' normalizers (normalizers/*.rs, tokenizers 0.23).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LMInput

/// The "normalizer" section of tokenizer.json.
package indirect enum NormalizerConfig: Decodable, Sendable {
    package enum Kind: String, Sendable {
        case bert = "BertNormalizer", strip = "Strip", stripAccents = "StripAccents"
        case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD"
        case sequence = "Sequence", lowercase = "Lowercase", nmt = "Nmt", precompiled = "Precompiled"
        case replace = "Replace", prepend = "Prepend", byteLevel = "ByteLevel"
    }

    case bert(cleanText: Bool, handleChineseChars: Bool, stripAccents: Bool?, lowercase: Bool)
    case strip(left: Bool, right: Bool)
    case stripAccents, nfc, nfd, nfkc, nfkd, lowercase, nmt, byteLevel
    case sequence([NormalizerConfig])
    /// The base64 `precompiled_charsmap`, decoded.
    case precompiled([UInt8])
    case replace(pattern: PatternConfig, content: String)
    case prepend(String)

    package init(from decoder: Decoder) throws {
        let kind: Kind = try decodeKind(decoder, "normalizer")
        let c = try decoder.container(keyedBy: AnyKey.self)
        switch kind {
        case .bert:
            self = .bert(cleanText: try c.get("clean_text", true), handleChineseChars: try c.get("handle_chinese_chars", true),
                         stripAccents: try c.get("strip_accents"), lowercase: try c.get("lowercase", true))
        case .strip: self = .strip(left: try c.get("strip_left", true), right: try c.get("strip_right", true))
        case .stripAccents: self = .stripAccents
        case .nfc: self = .nfc
        case .nfd: self = .nfd
        case .nfkc: self = .nfkc
        case .nfkd: self = .nfkd
        case .lowercase: self = .lowercase
        case .nmt: self = .nmt
        case .byteLevel: self = .byteLevel
        case .sequence: self = .sequence(try c.require("normalizers"))
        case .precompiled:
            let encoded: String? = try c.get("precompiled_charsmap")
            guard let encoded else { self = .precompiled([]); return }
            guard let data = Data(base64Encoded: encoded) else {
                throw InputError.format("tokenizer.json: Precompiled precompiled_charsmap is not valid base64")
            }
            self = .precompiled([UInt8](data))
        case .replace: self = .replace(pattern: try c.require("pattern"), content: try c.require("content"))
        case .prepend: self = .prepend(try c.require("prepend"))
        }
    }
}

/// A ready-to-run normalizer (patterns compiled, charsmaps parsed).
indirect enum Normalizer: Sendable {
    case bert(cleanText: Bool, handleChineseChars: Bool, stripAccents: Bool, lowercase: Bool)
    case strip(left: Bool, right: Bool)
    case stripAccents, lowercase, nmt, byteLevel
    case unicode(UnicodeNormalizationForm)
    case sequence([Normalizer])
    case precompiled(PrecompiledNormalizer?)
    case replace(SplitPattern, [UInt32])
    case prepend([UInt32])

    init(_ config: NormalizerConfig) throws {
        switch config {
        case let .bert(clean, chinese, strip, lower):
            self = .bert(cleanText: clean, handleChineseChars: chinese, stripAccents: strip ?? lower, lowercase: lower)
        case let .strip(l, r): self = .strip(left: l, right: r)
        case .stripAccents: self = .stripAccents
        case .nfc: self = .unicode(.nfc)
        case .nfd: self = .unicode(.nfd)
        case .nfkc: self = .unicode(.nfkc)
        case .nfkd: self = .unicode(.nfkd)
        case .lowercase: self = .lowercase
        case .nmt: self = .nmt
        case .byteLevel: self = .byteLevel
        case .sequence(let list): self = .sequence(try list.map(Normalizer.init))
        case .precompiled(let bytes):
            // HF treats an empty charsmap as the identity.
            self = .precompiled(bytes.isEmpty ? nil : PrecompiledNormalizer(try PrecompiledCharsmap(bytes: bytes)))
        case let .replace(pattern, content):
            self = .replace(try pattern.compile(context: "normalizer Replace"), content.unicodeScalars.map(\.value))
        case .prepend(let s): self = .prepend(s.unicodeScalars.map(\.value))
        }
    }

    func normalize(_ n: inout NormalizedString) throws {
        switch self {
        case let .bert(clean, chinese, strip, lower):
            let data = UnicodeData.shared
            if clean {
                n.filter { c in !(c == 0 || c == 0xFFFD || (c != 9 && c != 10 && c != 13 && data.has(c, .other))) }
                n.map { c in (c == 9 || c == 10 || c == 13 || data.has(c, .whiteSpace)) ? 0x20 : c }
            }
            // Without Chinese characters HF's transform is the identity.
            if chinese && (!n.wholeStringTransformIsExact || n.containsScalar(where: Normalizer.isChineseChar)) {
                var out: [(UInt32, Int)] = []
                for c in n.scalars {
                    if Normalizer.isChineseChar(c) {
                        out.append((0x20, 0)); out.append((c, 1)); out.append((0x20, 1))
                    } else {
                        out.append((c, 0))
                    }
                }
                n.transform(out, initialOffset: 0)
            }
            if strip {
                n.normalize(.nfd)
                n.filter { !data.has($0, .nonspacingMark) }
            }
            if lower { n.lowercase() }
        case let .strip(l, r):
            n.strip(left: l, right: r)
        case .stripAccents:
            let data = UnicodeData.shared
            n.filter { !data.has($0, .combiningMark) }
        case .lowercase:
            n.lowercase()
        case .nmt:
            n.filter { c in
                !((c >= 1 && c <= 8) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || c == 0x8F || c == 0x9F)
            }
            n.map { c in
                switch c {
                case 0x09, 0x0A, 0x0C, 0x0D, 0x1680, 0x200B...0x200F, 0x2028, 0x2029, 0x2581, 0xFEFF, 0xFFFD: return 0x20
                default: return c
                }
            }
        case .byteLevel:
            guard !n.isEmpty else { return }
            var out: [(UInt32, Int)] = []
            out.reserveCapacity(n.count)
            var i = 0
            let bytes = n.normalized
            while i < bytes.count {
                let len = min(UTF8Scalar.length(leadByte: bytes[i]), bytes.count - i)
                for k in 0..<len { out.append((ByteLevelAlphabet.byteToScalar[Int(bytes[i + k])], k > 0 ? 1 : 0)) }
                i += len
            }
            n.transform(out, initialOffset: 0)
        case .unicode(let form):
            n.normalize(form)
        case .sequence(let list):
            for x in list { try x.normalize(&n) }
        case .precompiled(let p):
            p?.normalize(&n)
        case let .replace(pattern, content):
            try n.replace(pattern, with: content)
        case .prepend(let s):
            if !n.isEmpty { n.prepend(s) }
        }
    }

    static func isChineseChar(_ c: UInt32) -> Bool {
        switch c {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
