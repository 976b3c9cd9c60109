// Follows HF tokenizers' `Precompiled` normalizer (normalizers/precompiled.rs, tokenizers 0.23):
// sentencepiece's precompiled charsmap applied per extended grapheme cluster (clusters under 6
// bytes first as a whole), then per character.

/// The Precompiled normalizer around a parsed charsmap.
struct PrecompiledNormalizer: Sendable {
    let charsmap: PrecompiledCharsmap

    init(_ charsmap: PrecompiledCharsmap) { self.charsmap = charsmap }

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
        let text = n.string
        var out: [(UInt32, Int)] = []
        out.reserveCapacity(n.count)
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
            var si = grapheme.unicodeScalars.startIndex
            let scalars = grapheme.unicodeScalars
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
        if modified { n.transform(out, initialOffset: 0) }
    }
}
