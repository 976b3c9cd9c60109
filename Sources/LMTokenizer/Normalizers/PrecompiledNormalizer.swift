// Follows HF tokenizers' `Precompiled` normalizer (normalizers/precompiled.rs, tokenizers 0.23):
// sentencepiece's precompiled charsmap applied per extended grapheme cluster (clusters under 6
// bytes first as a whole), then per character.

/// The Precompiled normalizer around a parsed charsmap.
struct PrecompiledNormalizer: Sendable {
    let charsmap: PrecompiledCharsmap
    /// The charsmap's answer for each ASCII character taken alone.
    let asciiRules: [String?]

    init(_ charsmap: PrecompiledCharsmap) {
        self.charsmap = charsmap
        asciiRules = (0..<128).map { b in charsmap.transform(Substring(String(UnicodeScalar(UInt8(b))))) }
    }

    /// HF's `replace`: new scalars replace old ones; extra ones are insertions, missing ones fold
    /// into the last change.
    private static func replace(_ out: inout [(UInt32, Int)], old: Substring, new: String) {
        let oldCount = old.unicodeScalars.count
        let newScalars = new.unicodeScalars.map(\.value)
        let diff = newScalars.count - oldCount
        for s in newScalars { out.append((s, 0)) }
        if diff > 0 {
            var k = 0
            var i = out.count - 1
            while k < diff && i >= 0 { out[i].1 = 1; k += 1; i -= 1 }
        } else if diff < 0, !out.isEmpty {
            out[out.count - 1].1 += diff
        }
    }

    func normalize(_ n: inout NormalizedString) {
        let bytes = n.normalized
        var out: [(UInt32, Int)] = []
        out.reserveCapacity(bytes.count)
        var modified = false
        // An ASCII character between two ASCII characters is a grapheme cluster of its own (no
        // prepend before it, no extender after it; CR LF excepted), so it is looked up in a table;
        // everything else goes through Swift's extended grapheme clusters, as HF's
        // unicode-segmentation `graphemes(true)`.
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let nextIsASCII = i + 1 >= bytes.count || bytes[i + 1] < 0x80
            let prevIsASCII = i == 0 || bytes[i - 1] < 0x80
            if b < 0x80 && nextIsASCII && prevIsASCII && !(b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A) {
                if let norm = asciiRules[Int(b)] {
                    modified = true
                    PrecompiledNormalizer.replace(&out, old: Substring(String(UnicodeScalar(b))), new: norm)
                } else {
                    out.append((UInt32(b), 0))
                }
                i += 1
                continue
            }
            // A run up to the next ASCII character that sits between two ASCII characters.
            var j = i + 1
            while j < bytes.count {
                if bytes[j] < 0x80 && bytes[j - 1] < 0x80 && (j + 1 >= bytes.count || bytes[j + 1] < 0x80)
                    && !(bytes[j - 1] == 0x0D && bytes[j] == 0x0A) {
                    break
                }
                j += 1
            }
            let text = String(decoding: bytes[i..<j], as: UTF8.self)
            if normalizeGraphemes(text, &out) { modified = true }
            i = j
        }
        if modified { n.transform(out, initialOffset: 0) }
    }

    private func normalizeGraphemes(_ text: String, _ out: inout [(UInt32, Int)]) -> Bool {
        var modified = false
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)  // one extended grapheme cluster
            let grapheme = text[index..<next]
            index = next
            if grapheme.utf8.count < 6, let norm = charsmap.transform(grapheme) {
                modified = true
                PrecompiledNormalizer.replace(&out, old: grapheme, new: norm)
                continue
            }
            let scalars = grapheme.unicodeScalars
            var si = scalars.startIndex
            while si < scalars.endIndex {
                let sn = scalars.index(after: si)
                let part = Substring(scalars[si..<sn])
                if let norm = charsmap.transform(part) {
                    modified = true
                    PrecompiledNormalizer.replace(&out, old: part, new: norm)
                } else {
                    out.append((scalars[si].value, 0))
                }
                si = sn
            }
        }
        return modified
    }
}
