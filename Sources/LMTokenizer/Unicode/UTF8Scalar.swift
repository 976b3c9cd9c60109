/// UTF-8 helpers for the byte-oriented pipeline. Inputs are always valid UTF-8 (they come from
/// Swift `String`s), but every function still stays in bounds on malformed bytes.
enum UTF8Scalar {
    /// The length of the sequence a lead byte starts (1 for continuation or invalid bytes, so
    /// loops always advance).
    @inline(__always)
    static func length(leadByte b: UInt8) -> Int {
        if b < 0x80 { return 1 }
        if b >= 0xF0 { return 4 }
        if b >= 0xE0 { return 3 }
        if b >= 0xC0 { return 2 }
        return 1
    }

    /// The number of bytes `scalar` takes in UTF-8.
    @inline(__always)
    static func width(_ scalar: UInt32) -> Int {
        scalar < 0x80 ? 1 : scalar < 0x800 ? 2 : scalar < 0x10000 ? 3 : 4
    }

    /// Decodes the scalar starting at `i`; returns it and its length.
    @inline(__always)
    static func decode<C: RandomAccessCollection>(_ bytes: C, at i: C.Index) -> (UInt32, Int)
    where C.Element == UInt8, C.Index == Int {
        let b0 = bytes[i]
        if b0 < 0x80 { return (UInt32(b0), 1) }
        let n = length(leadByte: b0)
        guard i + n <= bytes.endIndex else { return (0xFFFD, 1) }
        switch n {
        case 2:
            return ((UInt32(b0 & 0x1F) << 6) | UInt32(bytes[i + 1] & 0x3F), 2)
        case 3:
            return ((UInt32(b0 & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6)
                    | UInt32(bytes[i + 2] & 0x3F), 3)
        case 4:
            return ((UInt32(b0 & 0x07) << 18) | (UInt32(bytes[i + 1] & 0x3F) << 12)
                    | (UInt32(bytes[i + 2] & 0x3F) << 6) | UInt32(bytes[i + 3] & 0x3F), 4)
        default:
            return (0xFFFD, 1)
        }
    }

    /// Appends the UTF-8 encoding of `scalar`.
    @inline(__always)
    static func append(_ scalar: UInt32, to out: inout [UInt8]) {
        if scalar < 0x80 {
            out.append(UInt8(scalar))
        } else if scalar < 0x800 {
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        } else if scalar < 0x10000 {
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | ((scalar >> 18) & 0x07)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// Decodes all scalars of valid UTF-8 bytes.
    static func scalars<C: RandomAccessCollection>(_ bytes: C) -> [UInt32] where C.Element == UInt8, C.Index == Int {
        var out: [UInt32] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let (s, n) = decode(bytes, at: i)
            out.append(s)
            i += n
        }
        return out
    }

    /// Whether `i` is at a scalar boundary of `bytes` (the end counts).
    @inline(__always)
    static func isBoundary<C: RandomAccessCollection>(_ bytes: C, _ i: Int) -> Bool where C.Element == UInt8, C.Index == Int {
        if i == bytes.endIndex || i == bytes.startIndex { return i >= bytes.startIndex && i <= bytes.endIndex }
        guard i > bytes.startIndex && i < bytes.endIndex else { return false }
        return bytes[i] & 0xC0 != 0x80
    }

    static func string<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: bytes, as: UTF8.self)
    }
}
