// Follows HF tokenizers' `Pattern` implementations (tokenizer/pattern.rs): every pattern covers
// the whole input with ordered (range, isMatch) pieces.

/// What a split or replace looks for.
enum SplitPattern: @unchecked Sendable {
    /// One scalar (HF `char` pattern).
    case scalar(UInt32)
    /// Scalars with a Unicode property (HF `Fn(char) -> bool` patterns).
    case property(UnicodeData.Property)
    /// Any other scalar predicate.
    case predicate((UInt32) -> Bool)
    /// A literal string (HF escapes it into a regex; plain search gives the same matches).
    case literal([UInt8])
    /// An Oniguruma regex.
    case regex(OnigurumaPattern)
    /// Flips isMatch (HF `Invert`).
    indirect case inverted(SplitPattern)

    func findMatches(_ inside: [UInt8]) throws -> [(Range<Int>, Bool)] {
        switch self {
        case .scalar(let s):
            return SplitPattern.scalarMatches(inside) { $0 == s }
        case .property(let p):
            let data = UnicodeData.shared
            return SplitPattern.scalarMatches(inside) { data.has($0, p) }
        case .predicate(let f):
            return SplitPattern.scalarMatches(inside, f)
        case .literal(let lit):
            if lit.isEmpty {
                // HF: an empty pattern matches nothing (and reports the char count as the end).
                var chars = 0
                for b in inside where b & 0xC0 != 0x80 { chars += 1 }
                return [(0..<chars, false)]
            }
            return SplitPattern.rangesToPieces(SplitPattern.literalMatches(lit, in: inside), count: inside.count)
        case .regex(let re):
            if inside.isEmpty { return [(0..<0, false)] }
            let found = try inside.withUnsafeBufferPointer { try re.matches(in: $0) }
            return SplitPattern.rangesToPieces(found, count: inside.count)
        case .inverted(let p):
            return try p.findMatches(inside).map { ($0.0, !$0.1) }
        }
    }

    private static func rangesToPieces(_ found: [Range<Int>], count: Int) -> [(Range<Int>, Bool)] {
        if count == 0 { return [(0..<0, false)] }
        var out: [(Range<Int>, Bool)] = []
        out.reserveCapacity(found.count * 2 + 1)
        var prev = 0
        for m in found {
            if prev != m.lowerBound { out.append((prev..<m.lowerBound, false)) }
            out.append((m, true))
            prev = m.upperBound
        }
        if prev != count { out.append((prev..<count, false)) }
        return out
    }

    @inline(__always)
    private static func scalarMatches(_ inside: [UInt8], _ test: (UInt32) -> Bool) -> [(Range<Int>, Bool)] {
        if inside.isEmpty { return [(0..<0, false)] }
        var out: [(Range<Int>, Bool)] = []
        var lastOffset = 0
        var i = 0
        while i < inside.count {
            let (c, n) = UTF8Scalar.decode(inside, at: i)
            if test(c) {
                if lastOffset < i { out.append((lastOffset..<i, false)) }
                out.append((i..<(i + n), true))
                lastOffset = i + n
            }
            i += n
        }
        if inside.count > lastOffset { out.append((lastOffset..<inside.count, false)) }
        return out
    }

    /// Non-overlapping leftmost occurrences of `lit`.
    static func literalMatches(_ lit: [UInt8], in text: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        guard !lit.isEmpty, lit.count <= text.count else { return out }
        let first = lit[0]
        var i = 0
        let last = text.count - lit.count
        while i <= last {
            if text[i] == first {
                var j = 1
                while j < lit.count && text[i + j] == lit[j] { j += 1 }
                if j == lit.count {
                    out.append(i..<(i + lit.count))
                    i += lit.count
                    continue
                }
            }
            i += 1
        }
        return out
    }
}
