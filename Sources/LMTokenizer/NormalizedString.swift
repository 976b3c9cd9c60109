import LMInput

// Follows HF tokenizers' NormalizedString (tokenizer/normalizer.rs, tokenizers 0.23): a
// normalized UTF-8 string whose every byte remembers the span of original bytes it came from,
// so token offsets can be mapped back to the input.


/// A byte span [start, end) in the original text.
package struct Span: Sendable, Equatable {
    // Int32 halves the memory traffic of per-byte alignments (texts are limited to 2 GB).
    var start32: Int32
    var end32: Int32
    @inline(__always) package var start: Int { Int(start32) }
    @inline(__always) package var end: Int { Int(end32) }
    @inline(__always) package init(_ start: Int, _ end: Int) {
        start32 = Int32(truncatingIfNeeded: start)
        end32 = Int32(truncatingIfNeeded: end)
    }
}

/// How a split keeps the delimiters it matched (HF `SplitDelimiterBehavior`).
package enum SplitDelimiterBehavior: String, Sendable, Codable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"
}

/// A string under normalization, with per-byte alignments to the original text.
package struct NormalizedString: Sendable {
    /// The normalized text, UTF-8.
    package internal(set) var normalized: [UInt8]
    /// For each normalized byte, the original byte span (relative to this piece's original).
    var alignments: [Span]
    /// Length in bytes of the original text this piece covers.
    var originalLength: Int
    /// Where this piece's original starts in the whole original text.
    var originalShift: Int

    /// A fresh string: normalized == original.
    package init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        normalized = Array(bytes)
        alignments = []
        alignments.reserveCapacity(normalized.count)
        var i = 0
        while i < normalized.count {
            let n = min(UTF8Scalar.length(leadByte: normalized[i]), normalized.count - i)
            for _ in 0..<n { alignments.append(Span(i, i + n)) }
            i += n
        }
        originalLength = normalized.count
        originalShift = 0
    }

    init(normalized: [UInt8], alignments: [Span], originalLength: Int, originalShift: Int) {
        self.normalized = normalized
        self.alignments = alignments
        self.originalLength = originalLength
        self.originalShift = originalShift
    }

    package var isEmpty: Bool { normalized.isEmpty }
    package var count: Int { normalized.count }
    package var string: String { UTF8Scalar.string(normalized) }
    package var scalars: [UInt32] { UTF8Scalar.scalars(normalized) }

    /// The original span of the whole piece, in the full original text.
    var offsetsOriginal: Range<Int> { originalShift..<(originalShift + originalLength) }

    // MARK: Offset conversion

    /// Maps a normalized byte range to original bytes (HF `convert_offsets(Range::Normalized)`).
    func originalRange(ofNormalized r: Range<Int>) -> Range<Int>? {
        if r.isEmpty { return r }
        if normalized.isEmpty && r == 0..<0 { return 0..<originalLength }
        guard r.lowerBound >= 0, r.upperBound <= alignments.count else { return nil }
        let first = alignments[r.lowerBound], last = alignments[r.upperBound - 1]
        return first.start..<max(first.start, last.end)
    }

    /// Maps an original byte range to normalized bytes (HF `convert_offsets(Range::Original)`).
    func normalizedRange(ofOriginal target: Range<Int>) -> Range<Int>? {
        if target.isEmpty { return target }
        if originalLength == 0 && target == 0..<0 { return 0..<normalized.count }
        var start: Int? = nil, end: Int? = nil
        for (i, a) in alignments.enumerated() {
            if target.upperBound < a.end { break }
            if start == nil && target.lowerBound <= a.start && a.start != a.end { start = i }
            end = i + 1
        }
        switch (start, end) {
        case let (s?, e?): return s..<max(s, e)
        case let (s?, nil): return s..<s
        case let (nil, e?): return e..<e
        default: return nil
        }
    }

    // MARK: Slicing

    /// A sub-piece for a normalized byte range (HF `slice(Range::Normalized)`).
    func slice(normalized r: Range<Int>) -> NormalizedString? {
        guard r.lowerBound >= 0, r.upperBound <= normalized.count,
              UTF8Scalar.isBoundary(normalized, r.lowerBound), UTF8Scalar.isBoundary(normalized, r.upperBound),
              let original = originalRange(ofNormalized: r) else { return nil }
        let shift = original.lowerBound
        var aligns = [Span]()
        aligns.reserveCapacity(r.count)
        for a in alignments[r] { aligns.append(Span(a.start - shift, a.end - shift)) }
        return NormalizedString(normalized: Array(normalized[r]), alignments: aligns,
                                originalLength: original.count, originalShift: originalShift + original.lowerBound)
    }

    // MARK: Transformations

    /// Replaces normalized bytes `nRange` by `dest`, each scalar with its change (HF `transform_range`).
    mutating func transform(range nRange: Range<Int>, _ dest: [(UInt32, Int)], initialOffset: Int) {
        guard nRange.lowerBound >= 0, nRange.upperBound <= normalized.count else { return }
        // `offset` walks the replaced bytes scalar by scalar, as HF's iterator over the replaced chars.
        let end = nRange.upperBound
        var offset = nRange.lowerBound
        @inline(__always) func skipScalar() -> Bool {
            guard offset < end else { return false }
            offset = min(end, offset + UTF8Scalar.length(leadByte: normalized[offset]))
            return true
        }
        var k = 0
        while k < initialOffset && skipScalar() { k += 1 }
        var bytes = [UInt8]()
        bytes.reserveCapacity(max(nRange.count, dest.count))
        var aligns = [Span]()
        aligns.reserveCapacity(max(nRange.count, dest.count))
        for (c, changes) in dest {
            let align: Span
            if changes > 0 {
                align = offset < 1 ? Span(0, 0) : alignment(at: offset - 1)
            } else {
                align = alignment(at: offset)
                _ = skipScalar()
            }
            if changes < 0 {
                var n = -changes
                while n > 0 && skipScalar() { n -= 1 }
            }
            let before = bytes.count
            UTF8Scalar.append(c, to: &bytes)
            for _ in before..<bytes.count { aligns.append(align) }
        }
        if nRange.lowerBound == 0 && nRange.upperBound == normalized.count {
            normalized = bytes
            alignments = aligns
        } else {
            normalized.replaceSubrange(nRange, with: bytes)
            alignments.replaceSubrange(nRange, with: aligns)
        }
    }

    @inline(__always)
    private func alignment(at i: Int) -> Span {
        if i >= 0 && i < alignments.count { return alignments[i] }
        return alignments.last ?? Span(0, 0)
    }

    /// Applies `dest` to the whole string (HF `transform`, i.e. `Range::Original(..)`).
    mutating func transform(_ dest: [(UInt32, Int)], initialOffset: Int) {
        let r = normalizedRange(ofOriginal: 0..<originalLength) ?? 0..<normalized.count
        transform(range: r, dest, initialOffset: initialOffset)
    }

    /// Whether HF's whole-string `transform` (`Range::Original(..)`) covers every byte, so an
    /// identity transformation can be skipped without changing anything.
    var wholeStringTransformIsExact: Bool {
        guard let first = alignments.first else { return true }
        return first.start != first.end
    }

    /// Whether every byte is ASCII (then NFC/NFD/NFKC/NFKD are the identity).
    private var isASCII: Bool {
        normalized.withUnsafeBufferPointer { b in
            var acc: UInt8 = 0
            for x in b { acc |= x }
            return acc < 0x80
        }
    }

    mutating func normalize(_ form: UnicodeNormalizationForm) {
        if isASCII && wholeStringTransformIsExact { return }
        let input = scalars
        let out = form.apply(input)
        if wholeStringTransformIsExact && out.count == input.count
            && !zip(out, input).contains(where: { $0.0.0 != $0.1 || $0.0.1 != 0 }) {
            return
        }
        transform(out, initialOffset: 0)
    }

    /// Keeps only scalars for which `keep` holds (HF `filter`).
    mutating func filter(_ keep: (UInt32) -> Bool) {
        if wholeStringTransformIsExact && !containsScalar(where: { !keep($0) }) { return }
        var removed = 0, removedStart = 0
        var out: [(UInt32, Int)] = []
        out.reserveCapacity(normalized.count)
        var last: UInt32? = nil
        for c in scalars {
            if keep(c) {
                if let l = last { out.append((l, -removed)) } else { removedStart = removed }
                last = c
                removed = 0
            } else {
                removed += 1
            }
        }
        if let l = last { out.append((l, -removed)) }
        transform(out, initialOffset: removedStart)
    }

    /// Maps each scalar to one scalar (HF `map`).
    mutating func map(_ f: (UInt32) -> UInt32) {
        if wholeStringTransformIsExact && !containsScalar(where: { f($0) != $0 }) { return }
        transform(scalars.map { (f($0), 0) }, initialOffset: 0)
    }

    /// Whether some scalar satisfies `test` (decoding in place, no allocation).
    func containsScalar(where test: (UInt32) -> Bool) -> Bool {
        var i = 0
        while i < normalized.count {
            let (c, n) = UTF8Scalar.decode(normalized, at: i)
            if test(c) { return true }
            i += n
        }
        return false
    }

    /// Rust `char::to_lowercase` per scalar (HF `lowercase`).
    mutating func lowercase() {
        let data = UnicodeData.shared
        if wholeStringTransformIsExact && !containsScalar(where: { c in
            c < 0x80 ? (c >= 0x41 && c <= 0x5A) : data.has(c, .hasLowercase)
        }) { return }
        var out: [(UInt32, Int)] = []
        out.reserveCapacity(normalized.count)
        for c in scalars {
            var index = 0
            data.lowercase(c) { l in out.append((l, index > 0 ? 1 : 0)); index += 1 }
        }
        transform(out, initialOffset: 0)
    }

    /// Prepends `s` before the first scalar (HF `prepend`); no-op on an empty string.
    mutating func prepend(_ s: [UInt32]) {
        guard !normalized.isEmpty else { return }
        let (next, width) = UTF8Scalar.decode(normalized, at: 0)
        var dest: [(UInt32, Int)] = s.enumerated().map { ($0.element, $0.offset != 0 ? 1 : 0) }
        dest.append((next, 1))
        transform(range: 0..<width, dest, initialOffset: 0)
    }

    /// Appends `s` after the last scalar (HF `append`).
    mutating func append(_ s: [UInt32]) {
        if normalized.isEmpty {
            transform(range: 0..<0, s.map { ($0, 1) }, initialOffset: 0)
            return
        }
        var b = normalized.count - 1
        while b > 0 && normalized[b] & 0xC0 == 0x80 { b -= 1 }
        let (prev, _) = UTF8Scalar.decode(normalized, at: b)
        transform(range: b..<normalized.count, [(prev, 0)] + s.map { ($0, 1) }, initialOffset: 0)
    }

    /// Strips Rust-`is_whitespace` scalars from either end (HF `lrstrip`).
    mutating func strip(left: Bool, right: Bool) {
        let cs = scalars
        let data = UnicodeData.shared
        var leading = 0
        if left { while leading < cs.count && data.has(cs[leading], .whiteSpace) { leading += 1 } }
        var trailing = 0
        if right { while trailing < cs.count && data.has(cs[cs.count - 1 - trailing], .whiteSpace) { trailing += 1 } }
        guard leading > 0 || trailing > 0 else { return }
        var out: [(UInt32, Int)] = []
        for (i, c) in cs.enumerated() {
            if i < leading || i >= cs.count - trailing { continue }
            // HF compares the char index with the byte length here; kept for identical alignments.
            if i == normalized.count - trailing - 1 {
                out.append((c, -trailing))
            } else {
                out.append((c, 0))
            }
        }
        transform(out, initialOffset: leading)
    }

    /// Replaces every match of `pattern` by `content` (HF `replace`).
    mutating func replace(_ pattern: SplitPattern, with content: [UInt32]) throws {
        let matches = try pattern.findMatches(normalized)
        if !matches.contains(where: { $0.1 }) { return }
        var newBytes = [UInt8]()
        newBytes.reserveCapacity(normalized.count)
        var newAligns = [Span]()
        newAligns.reserveCapacity(alignments.count)
        var lastEnd = 0
        for (range, isMatch) in matches where isMatch {
            let start = range.lowerBound, end = range.upperBound
            guard start >= lastEnd, end <= normalized.count else { continue }
            newBytes.append(contentsOf: normalized[lastEnd..<start])
            newAligns.append(contentsOf: alignments[lastEnd..<start])
            // Every replacement scalar is an insertion aligned like the last removed byte.
            let offset = end
            for c in content {
                let align = offset < 1 ? Span(0, 0) : alignment(at: offset - 1)
                let before = newBytes.count
                UTF8Scalar.append(c, to: &newBytes)
                for _ in before..<newBytes.count { newAligns.append(align) }
            }
            lastEnd = end
        }
        newBytes.append(contentsOf: normalized[min(lastEnd, normalized.count)...])
        newAligns.append(contentsOf: alignments[min(lastEnd, alignments.count)...])
        normalized = newBytes
        alignments = newAligns
    }

    // MARK: Splitting

    /// Splits on `pattern` with `behavior` (HF `NormalizedString::split`).
    func split(_ pattern: SplitPattern, behavior: SplitDelimiterBehavior) throws -> [NormalizedString] {
        let matches = try pattern.findMatches(normalized)
        var splits: [(Range<Int>, Bool)] = []  // (range, remove)
        switch behavior {
        case .isolated:
            splits = matches.map { ($0.0, false) }
        case .removed:
            splits = matches
        case .contiguous:
            var previous = false
            for (r, isMatch) in matches {
                if isMatch == previous, let last = splits.last {
                    splits[splits.count - 1] = (last.0.lowerBound..<r.upperBound, false)
                } else {
                    splits.append((r, false))
                }
                previous = isMatch
            }
        case .mergedWithPrevious:
            var previous = false
            for (r, isMatch) in matches {
                if isMatch && !previous, let last = splits.last {
                    splits[splits.count - 1] = (last.0.lowerBound..<r.upperBound, false)
                } else {
                    splits.append((r, false))
                }
                previous = isMatch
            }
        case .mergedWithNext:
            var previous = false
            for (r, isMatch) in matches.reversed() {
                if isMatch && !previous, let last = splits.last {
                    splits[splits.count - 1] = (r.lowerBound..<last.0.upperBound, false)
                } else {
                    splits.append((r, false))
                }
                previous = isMatch
            }
            splits.reverse()
        }
        // One piece covering everything is this string itself (when its slice would be identical).
        if splits.count == 1, let (r, remove) = splits.first, !remove, r == 0..<normalized.count,
           originalRange(ofNormalized: r) == 0..<originalLength {
            return [self]
        }
        var out: [NormalizedString] = []
        out.reserveCapacity(splits.count)
        for (r, remove) in splits where !remove {
            guard let piece = slice(normalized: r) else {
                throw InputError.invalidArgument("split produced a range \(r) off character boundaries")
            }
            out.append(piece)
        }
        return out
    }
}
