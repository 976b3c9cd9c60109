// sentencepiece's own UTF-8 helpers (util.h OneCharLen, util.cc DecodeUTF8 / IsValidDecodeUTF8),
// which differ from Swift's decoder: an invalid sequence is always replaced byte by byte.

enum SentencePieceUTF8 {
    /// The length of the character starting with `lead`, from its high nibble alone (continuation
    /// bytes count as 1), as sentencepiece's `OneCharLen`.
    @inline(__always)
    static func oneCharLength(_ lead: UInt8) -> Int {
        switch lead >> 4 {
        case 0xC, 0xD: return 2
        case 0xE: return 3
        case 0xF: return 4
        default: return 1
        }
    }

    @inline(__always)
    private static func isTrail(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }

    @inline(__always)
    private static func isValidCodePoint(_ c: UInt32) -> Bool {
        c < 0xD800 || (c >= 0xE000 && c <= 0x10FFFF)
    }

    /// sentencepiece's `IsValidDecodeUTF8`: the length of the well-formed character at the start
    /// of `bytes` and true, or (1, false) for a malformed byte. U+FFFD itself counts as valid.
    @inline(__always)
    static func decodeLength(_ bytes: UnsafeBufferPointer<UInt8>, from i: Int) -> (length: Int, valid: Bool) {
        let n = bytes.count - i
        guard n > 0 else { return (0, false) }
        let b0 = bytes[i]
        if b0 < 0x80 { return (1, true) }
        if n >= 2, b0 & 0xE0 == 0xC0 {
            let b1 = bytes[i + 1]
            let cp = UInt32(b0 & 0x1F) << 6 | UInt32(b1 & 0x3F)
            if isTrail(b1), cp >= 0x80 { return (2, true) }
        } else if n >= 3, b0 & 0xF0 == 0xE0 {
            let b1 = bytes[i + 1], b2 = bytes[i + 2]
            let cp = UInt32(b0 & 0x0F) << 12 | UInt32(b1 & 0x3F) << 6 | UInt32(b2 & 0x3F)
            if isTrail(b1), isTrail(b2), cp >= 0x800, isValidCodePoint(cp) { return (3, true) }
        } else if n >= 4, b0 & 0xF8 == 0xF0 {
            let b1 = bytes[i + 1], b2 = bytes[i + 2], b3 = bytes[i + 3]
            let cp = UInt32(b0 & 0x07) << 18 | UInt32(b1 & 0x3F) << 12 | UInt32(b2 & 0x3F) << 6 | UInt32(b3 & 0x3F)
            if isTrail(b1), isTrail(b2), isTrail(b3), cp >= 0x10000, isValidCodePoint(cp) { return (4, true) }
        }
        return (1, false)
    }

    /// For each UTF-8 byte position of `text` (and its end), the number of Unicode scalars that
    /// start before it: converts byte offsets at character boundaries to code-point offsets.
    static func scalarIndexByByte(_ text: String) -> [Int] {
        var map: [Int] = []
        map.reserveCapacity(text.utf8.count + 1)
        var scalars = 0
        for b in text.utf8 {
            map.append(scalars)
            if b & 0xC0 != 0x80 { scalars += 1 }
        }
        map.append(scalars)
        return map
    }

    /// Byte offsets (at character boundaries) of `text` as code-point offsets.
    static func scalarOffsets(_ offsets: [Range<Int>], in text: String) -> [Range<Int>] {
        // ASCII text: bytes are code points.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return offsets }
        let map = scalarIndexByByte(text)
        return offsets.map { map[$0.lowerBound]..<map[$0.upperBound] }
    }

    /// U+FFFD REPLACEMENT CHARACTER.
    static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]
    /// U+2581 LOWER ONE EIGHTH BLOCK, sentencepiece's whitespace symbol.
    static let spaceSymbol: [UInt8] = [0xE2, 0x96, 0x81]
}
