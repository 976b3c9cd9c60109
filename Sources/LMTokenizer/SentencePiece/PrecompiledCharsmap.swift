// Follows sentencepiece's normalizer.cc (DecodePrecompiledCharsMap, NormalizePrefix) and
// darts-clone's DoubleArray (sentencepiece 0.2.x), and the spm_precompiled crate's `transform` as HF
// tokenizers' `Precompiled` normalizer uses it (tokenizers 0.23).

/// SentencePiece's compiled normalization rules (`NormalizerSpec.precompiled_charsmap`): a Darts
/// double-array trie over UTF-8 byte strings whose values index a table of NUL-terminated
/// replacement strings.
///
/// Blob layout (little-endian): `uint32 trieSize`, `trieSize` bytes of trie units (uint32 each),
/// then the replacement table up to the end of the blob. Every access is bounds-checked, so a
/// malformed blob fails at load (``init(bytes:)``) or yields "no match", never a trap.
public struct PrecompiledCharsmap: Sendable {
    /// The double-array units.
    private let units: [UInt32]
    /// The replacement strings, each ending at a NUL byte (the last one may end at the blob's end).
    public let normalizedTable: [UInt8]

    /// sentencepiece's `NormalizePrefix` reads at most this many common-prefix results
    /// (`kMaxTrieResultsSize`); matches are found shortest first, so longer ones are ignored.
    public static let maxPrefixResults = 32

    /// Parses a `precompiled_charsmap` blob.
    /// - Throws: `TokenizerError.format` when the blob is too short, the trie size does not fit, the
    ///   trie size is not a whole number of units, or the replacement table is not valid UTF-8.
    public init(bytes: [UInt8]) throws {
        guard bytes.count > 4 else {
            throw TokenizerError.format(
                "precompiled_charsmap: blob of \(bytes.count) bytes is too short (needs a 4-byte trie size and data)")
        }
        let trieSize = Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
        guard trieSize <= bytes.count - 4 else {
            throw TokenizerError.format(
                "precompiled_charsmap: trie size \(trieSize) exceeds the blob (\(bytes.count) bytes)")
        }
        guard trieSize >= 4, trieSize % 4 == 0 else {
            throw TokenizerError.format(
                "precompiled_charsmap: trie size \(trieSize) is not a positive multiple of 4")
        }
        var units = [UInt32](repeating: 0, count: trieSize / 4)
        bytes.withUnsafeBufferPointer { buf in
            for i in 0..<units.count {
                let o = 4 + 4 * i
                units[i] = UInt32(buf[o]) | UInt32(buf[o + 1]) << 8 | UInt32(buf[o + 2]) << 16
                    | UInt32(buf[o + 3]) << 24
            }
        }
        let table = Array(bytes[(4 + trieSize)...])
        // HF's Precompiled keeps the table as a Rust String, so it must be UTF-8.
        guard String(validating: table, as: UTF8.self) != nil else {
            throw TokenizerError.format("precompiled_charsmap: replacement table is not valid UTF-8")
        }
        self.units = units
        self.normalizedTable = table
    }

    // MARK: darts-clone unit fields

    @inline(__always) private static func hasLeaf(_ u: UInt32) -> Bool { (u >> 8) & 1 == 1 }
    @inline(__always) private static func value(_ u: UInt32) -> Int { Int(u & 0x7FFF_FFFF) }
    @inline(__always) private static func label(_ u: UInt32) -> UInt32 { u & (0x8000_0000 | 0xFF) }
    @inline(__always) private static func offset(_ u: UInt32) -> Int {
        Int((u >> 10) << ((u & (1 << 9)) >> 6))
    }

    /// Walks the trie over `bytes`, calling `onMatch(length, value)` for every prefix that has a
    /// value, shortest first, until `onMatch` returns false. Stops at a NUL byte (as the Rust port
    /// does; in darts-clone a NUL never matches a label either).
    @inline(__always)
    private func walk(_ bytes: UnsafeBufferPointer<UInt8>, _ onMatch: (Int, Int) -> Bool) {
        units.withUnsafeBufferPointer { array in
            guard let root = array.first else { return }
            var nodePos = Self.offset(root)
            for i in 0..<bytes.count {
                let c = bytes[i]
                if c == 0 { return }
                nodePos ^= Int(c)
                guard nodePos < array.count else { return }
                let unit = array[nodePos]
                guard Self.label(unit) == UInt32(c) else { return }
                nodePos ^= Self.offset(unit)
                if Self.hasLeaf(unit) {
                    guard nodePos < array.count else { return }
                    if !onMatch(i + 1, Self.value(array[nodePos])) { return }
                }
            }
        }
    }

    /// The replacement stored at `index`: bytes up to the next NUL (or the table's end); nil when
    /// the index lies outside the table.
    private func replacement(at index: Int) -> ArraySlice<UInt8>? {
        guard index >= 0, index <= normalizedTable.count else { return nil }
        var end = index
        normalizedTable.withUnsafeBufferPointer { t in
            while end < t.count, t[end] != 0 { end += 1 }
        }
        return normalizedTable[index..<end]
    }

    /// spm_precompiled's `transform`, as HF tokenizers' `Precompiled` normalizer calls it on a
    /// grapheme or a character: a common-prefix search over the chunk's UTF-8 whose FIRST (shortest)
    /// result selects the replacement — even when that match covers only part of the chunk.
    /// Returns nil when no prefix of the chunk has a rule.
    public func transform(_ chunk: Substring) -> String? {
        var first: Int?
        var chunk = chunk
        chunk.withUTF8 { buf in
            walk(buf) { _, value in
                first = value
                return false
            }
        }
        guard let index = first, let bytes = replacement(at: index) else { return nil }
        // Rust slices the table as a str: an index inside a character would panic there; here it
        // is treated as no rule.
        return String(validating: bytes, as: UTF8.self)
    }

    /// sentencepiece's `NormalizePrefix` rule lookup: the longest of the first
    /// ``maxPrefixResults`` prefixes of `bytes` that have a rule, as (bytes consumed, replacement
    /// bytes). Nil when no prefix matches (the caller then copies one UTF-8 character).
    public func longestPrefixMatch(_ bytes: UnsafeBufferPointer<UInt8>)
        -> (consumed: Int, replacement: ArraySlice<UInt8>)?
    {
        guard let rule = longestRule(bytes, from: 0) else { return nil }
        return (rule.consumed, normalizedTable[rule.replacement])
    }

    /// ``longestPrefixMatch(_:)-(UnsafeBufferPointer<UInt8>)`` from offset `start`, giving the
    /// replacement as a range of ``normalizedTable`` (no copies: the normalizer's hot path).
    func longestRule(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (consumed: Int, replacement: Range<Int>)? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        let rest = UnsafeBufferPointer(start: base + start, count: bytes.count - start)
        var best: (Int, Int)?
        var seen = 0
        walk(rest) { length, value in
            best = (length, value)
            seen += 1
            return seen < Self.maxPrefixResults
        }
        guard let (length, index) = best, index >= 0, index <= normalizedTable.count else { return nil }
        var end = index
        normalizedTable.withUnsafeBufferPointer { t in
            while end < t.count, t[end] != 0 { end += 1 }
        }
        return (length, index..<end)
    }

    /// Convenience over ``longestPrefixMatch(_:)-(UnsafeBufferPointer<UInt8>)`` for a byte array.
    public func longestPrefixMatch(_ bytes: ArraySlice<UInt8>) -> (consumed: Int, replacement: ArraySlice<UInt8>)? {
        bytes.withUnsafeBufferPointer { longestPrefixMatch($0) }
    }
}
