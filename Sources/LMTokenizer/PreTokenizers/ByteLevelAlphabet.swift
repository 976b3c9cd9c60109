// Follows HF tokenizers' `bytes_char` (pre_tokenizers/byte_level.rs): GPT-2's reversible map
// from bytes to printable scalars.

enum ByteLevelAlphabet {
    /// byte -> scalar.
    static let byteToScalar: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var n: UInt32 = 0
        for b in 0..<256 {
            let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
            if printable {
                table[b] = UInt32(b)
            } else {
                table[b] = 256 + n
                n += 1
            }
        }
        return table
    }()

    /// byte -> its scalar's UTF-8 (1 or 2 bytes), for fast token building.
    static let byteToUTF8: [[UInt8]] = byteToScalar.map { s in
        var out = [UInt8]()
        UTF8Scalar.append(s, to: &out)
        return out
    }

    /// scalar -> byte, for decoding (-1 when the scalar is not in the alphabet).
    static let scalarToByte: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (b, s) in byteToScalar.enumerated() { table[Int(s)] = Int16(b) }
        return table
    }()

    @inline(__always)
    static func byte(for scalar: UInt32) -> UInt8? {
        guard scalar < 324 else { return nil }
        let b = scalarToByte[Int(scalar)]
        return b < 0 ? nil : UInt8(b)
    }

    /// Replaces each byte by its alphabet scalar; all but a character's first byte are insertions
    /// (HF builds that as a `transform`; this writes the same bytes and alignments directly: the
    /// first scalar takes the alignment of the character's first byte, the others that of its last).
    static func mapBytes(_ n: inout NormalizedString) {
        let bytes = n.normalized
        let aligns = n.alignments
        // The direct path assumes HF's `Range::Original(..)` covers the whole string, which holds
        // unless the first alignment is empty or one reaches past the original.
        let direct = aligns.count == bytes.count && (aligns.first.map { $0.start != $0.end } ?? true)
            && !aligns.contains { $0.end > n.originalLength }
        guard direct else {
            var out: [(UInt32, Int)] = []
            var i = 0
            while i < bytes.count {
                let len = min(UTF8Scalar.length(leadByte: bytes[i]), bytes.count - i)
                for k in 0..<len { out.append((byteToScalar[Int(bytes[i + k])], k > 0 ? 1 : 0)) }
                i += len
            }
            n.transform(out, initialOffset: 0)
            return
        }
        let (outBytes, outAligns) = mapped(bytes, 0..<bytes.count, alignments: aligns, shift: 0)
        n.normalized = outBytes
        n.alignments = outAligns
    }

    /// `n.slice(normalized: r)` followed by `mapBytes`, without the intermediate copy.
    static func mappedSlice(of n: NormalizedString, _ r: Range<Int>) -> NormalizedString? {
        let bytes = n.normalized
        guard r.lowerBound >= 0, r.upperBound <= bytes.count, !r.isEmpty,
              UTF8Scalar.isBoundary(bytes, r.lowerBound), UTF8Scalar.isBoundary(bytes, r.upperBound),
              n.alignments.count == bytes.count,
              let original = n.originalRange(ofNormalized: r) else { return nil }
        let shift = original.lowerBound
        let first = n.alignments[r.lowerBound]
        // mapBytes' direct path holds for the slice under the same conditions, shifted.
        guard first.start != first.end,
              !n.alignments[r].contains(where: { $0.end - shift > original.count }) else {
            guard var piece = n.slice(normalized: r) else { return nil }
            mapBytes(&piece)
            return piece
        }
        let (outBytes, outAligns) = mapped(bytes, r, alignments: n.alignments, shift: shift)
        return NormalizedString(normalized: outBytes, alignments: outAligns, originalLength: original.count,
                                originalShift: n.originalShift + original.lowerBound)
    }

    /// The direct path of `mapBytes` over `bytes[r]`: each byte's alphabet UTF-8, the first scalar of a
    /// character aligned like its first byte and the others like its last, alignments moved down by
    /// `shift`.
    @inline(__always)
    private static func mapped(_ bytes: [UInt8], _ r: Range<Int>, alignments: [Span], shift: Int)
        -> ([UInt8], [Span]) {
        var outBytes = [UInt8]()
        outBytes.reserveCapacity(r.count * 2)
        var outAligns = [Span]()
        outAligns.reserveCapacity(r.count * 2)
        var i = r.lowerBound
        while i < r.upperBound {
            let len = min(UTF8Scalar.length(leadByte: bytes[i]), r.upperBound - i)
            let a = alignments[i], z = alignments[i + len - 1]
            let firstSpan = Span(a.start - shift, a.end - shift), lastSpan = Span(z.start - shift, z.end - shift)
            for k in 0..<len {
                let encoded = byteToUTF8[Int(bytes[i + k])]
                outBytes.append(contentsOf: encoded)
                let span = k == 0 ? firstSpan : lastSpan
                for _ in 0..<encoded.count { outAligns.append(span) }
            }
            i += len
        }
        return (outBytes, outAligns)
    }
}
