// Python `str` semantics the slow (Python) tokenizers rely on: code-point equality for dict keys,
// `str.isspace`, `strip`/`lstrip`/`rstrip`, `replace`. Swift's String compares by canonical
// equivalence and Character, which would merge or split differently.

/// A String hashed and compared by its UTF-8 bytes, as Python compares `str` keys.
struct PythonKey: Hashable, Sendable {
    let string: String

    init(_ string: String) { self.string = string }

    static func == (a: PythonKey, b: PythonKey) -> Bool {
        a.string.utf8.count == b.string.utf8.count && a.string.utf8.elementsEqual(b.string.utf8)
    }

    func hash(into hasher: inout Hasher) {
        // Native strings hand out their UTF-8 storage directly; others are hashed byte by byte.
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil {
            for b in string.utf8 { hasher.combine(b) }
        }
    }
}

enum PythonString {
    /// `str.isspace()` for one code point: bidirectional class WS, B or S, or category Zs.
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `text.strip()`.
    static func strip(_ text: String) -> String { rstrip(lstrip(text)) }

    /// `text.lstrip()`.
    static func lstrip(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...])
    }

    /// `text.rstrip()`.
    static func rstrip(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[...last])
    }

    /// `text.replace(old, new)` over code points (non-overlapping, left to right).
    static func replace(_ text: String, _ old: String, _ new: String) -> String {
        let t = Array(text.utf8), o = Array(old.utf8)
        guard !o.isEmpty, t.count >= o.count else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(t.count)
        var i = 0
        while i < t.count {
            if t[i] == o[0], t.count - i >= o.count, t[i..<(i + o.count)].elementsEqual(o) {
                out += new.utf8
                i += o.count
            } else {
                out.append(t[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// transformers' `clean_up_tokenization` (tokenization_utils_base.py, 5.x).
    static func cleanUpTokenization(_ text: String) -> String {
        var t = text
        for (a, b) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                       (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            t = replace(t, a, b)
        }
        return t
    }
}
