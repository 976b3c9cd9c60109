// Follows unicode-normalization-alignments 0.1.12 (the crate HF tokenizers uses): each output
// scalar carries a "change" (0 = replaces one input scalar, 1 = inserted, -n = also consumes n
// more), and the quirks of its canonical reordering and recomposition are kept because they
// decide HF's offsets.

/// Unicode normalization forms with HF's alignment changes.
package enum UnicodeNormalizationForm: Sendable {
    case nfd, nfkd, nfc, nfkc

    /// Normalizes `scalars`, returning each output scalar with its change.
    func apply(_ scalars: [UInt32]) -> [(UInt32, Int)] {
        switch self {
        case .nfd: return UnicodeNormalizationForm.decompose(scalars, compatibility: false)
        case .nfkd: return UnicodeNormalizationForm.decompose(scalars, compatibility: true)
        case .nfc: return UnicodeNormalizationForm.recompose(UnicodeNormalizationForm.decompose(scalars, compatibility: false))
        case .nfkc: return UnicodeNormalizationForm.recompose(UnicodeNormalizationForm.decompose(scalars, compatibility: true))
        }
    }

    static func decompose(_ scalars: [UInt32], compatibility: Bool) -> [(UInt32, Int)] {
        let data = UnicodeData.shared
        var out: [(UInt32, Int)] = []
        out.reserveCapacity(scalars.count)
        // Pending non-starters (class, scalar, change) awaiting canonical reordering.
        var pending: [(UInt8, UInt32, Int)] = []
        func flush() {
            if pending.count > 1 {
                // Stable sort by combining class, as the crate's sort_by_key.
                let sorted = pending.enumerated().sorted { l, r in
                    l.element.0 != r.element.0 ? l.element.0 < r.element.0 : l.offset < r.offset
                }
                for e in sorted { out.append((e.element.1, e.element.2)) }
            } else if let e = pending.first {
                out.append((e.1, e.2))
            }
            pending.removeAll(keepingCapacity: true)
        }
        for s in scalars {
            var first = true
            data.decompose(s, compatibility: compatibility) { d in
                let cls = data.combiningClass(d)
                if cls == 0 { flush() }
                pending.append((cls, d, first ? 0 : 1))
                first = false
            }
        }
        flush()
        return out
    }

    static func recompose(_ decomposed: [(UInt32, Int)]) -> [(UInt32, Int)] {
        let data = UnicodeData.shared
        var out: [(UInt32, Int)] = []
        out.reserveCapacity(decomposed.count)
        var buffer: [(UInt32, Int)] = []
        var composee: (UInt32, Int)? = nil
        var lastClass: UInt8? = nil
        for (ch, change) in decomposed {
            let cls = data.combiningClass(ch)
            guard let k = composee else {
                if cls != 0 {
                    out.append((ch, change))
                } else {
                    composee = (ch, change)
                }
                continue
            }
            if let last = lastClass {
                if last >= cls {
                    // `ch` is blocked from the composee.
                    if cls == 0 {
                        out.append(k)
                        out.append(contentsOf: buffer)
                        buffer.removeAll(keepingCapacity: true)
                        composee = (ch, change)
                        lastClass = nil
                    } else {
                        buffer.append((ch, change))
                        lastClass = cls
                    }
                    continue
                }
                if let r = data.compose(k.0, ch) {
                    composee = (r, k.1 + change - 1)
                } else {
                    buffer.append((ch, change))
                    lastClass = cls
                }
            } else {
                if let r = data.compose(k.0, ch) {
                    composee = (r, k.1 + change - 1)
                } else if cls == 0 {
                    out.append(k)
                    composee = (ch, change)
                } else {
                    buffer.append((ch, change))
                    lastClass = cls
                }
            }
        }
        if let k = composee { out.append(k) }
        out.append(contentsOf: buffer)
        return out
    }
}
