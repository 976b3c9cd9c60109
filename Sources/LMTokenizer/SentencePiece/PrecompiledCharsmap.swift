import LMInput

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
package struct PrecompiledCharsmap: Sendable {
    /// The double-array units.
    private let units: [UInt32]
    /// The replacement strings, each ending at a NUL byte (the last one may end at the blob's end).
    package let normalizedTable: [UInt8]

    /// sentencepiece's `NormalizePrefix` reads at most this many common-prefix results
    /// (`kMaxTrieResultsSize`); matches are found shortest first, so longer ones are ignored.
    package static let maxPrefixResults = 32

    /// Parses a `precompiled_charsmap` blob.
    /// - Throws: `InputError.format` when the blob is too short, the trie size does not fit, the
    ///   trie size is not a whole number of units, or the replacement table is not valid UTF-8.
    package init(bytes: [UInt8]) throws {
        guard bytes.count > 4 else {
            throw InputError.format(
                "precompiled_charsmap: blob of \(bytes.count) bytes is too short (needs a 4-byte trie size and data)")
        }
        let trieSize = Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
        guard trieSize <= bytes.count - 4 else {
            throw InputError.format(
                "precompiled_charsmap: trie size \(trieSize) exceeds the blob (\(bytes.count) bytes)")
        }
        guard trieSize >= 4, trieSize % 4 == 0 else {
            throw InputError.format(
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
            throw InputError.format("precompiled_charsmap: replacement table is not valid UTF-8")
        }
        self.units = units
        self.normalizedTable = table
    }

    // MARK: Lookups

    /// Unsafe views of the trie and table for a batch of lookups (valid only inside
    /// ``withLookup(_:)``); every index is still bounds-checked against the views.
    struct Lookup {
        let units: UnsafeBufferPointer<UInt32>
        let table: UnsafeBufferPointer<UInt8>

        // darts-clone unit fields.
        @inline(__always) static func hasLeaf(_ u: UInt32) -> Bool { (u >> 8) & 1 == 1 }
        @inline(__always) static func value(_ u: UInt32) -> Int { Int(u & 0x7FFF_FFFF) }
        @inline(__always) static func label(_ u: UInt32) -> UInt32 { u & (0x8000_0000 | 0xFF) }
        @inline(__always) static func offset(_ u: UInt32) -> Int { Int((u >> 10) << ((u & (1 << 9)) >> 6)) }

        /// Walks the trie over `bytes[start...]`, calling `onMatch(length, value)` for every prefix
        /// with a value, shortest first, until it returns false. Stops at a NUL byte (as the Rust
        /// port does; in darts-clone a NUL never matches a label either).
        @inline(__always)
        func walk(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, _ onMatch: (Int, Int) -> Bool) {
            guard let root = units.first else { return }
            var nodePos = Self.offset(root)
            var i = start
            while i < bytes.count {
                let c = bytes[i]
                if c == 0 { return }
                nodePos ^= Int(c)
                guard nodePos < units.count else { return }
                let unit = units[nodePos]
                guard Self.label(unit) == UInt32(c) else { return }
                nodePos ^= Self.offset(unit)
                i += 1
                if Self.hasLeaf(unit) {
                    guard nodePos < units.count else { return }
                    if !onMatch(i - start, Self.value(units[nodePos])) { return }
                }
            }
        }

        /// The table range of the replacement at `index` (up to the next NUL or the table's end);
        /// nil when the index lies outside the table.
        @inline(__always)
        func replacement(at index: Int) -> Range<Int>? {
            guard index >= 0, index <= table.count else { return nil }
            var end = index
            while end < table.count, table[end] != 0 { end += 1 }
            return index..<end
        }

        /// sentencepiece's rule lookup at `start`: the longest of the first `maxPrefixResults`
        /// matching prefixes, as (bytes consumed, replacement range in the table).
        @inline(__always)
        func longestRule(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (consumed: Int, replacement: Range<Int>)? {
            var best = (length: 0, value: 0)
            var seen = 0
            walk(bytes, from: start) { length, value in
                best = (length, value)
                seen += 1
                return seen < PrecompiledCharsmap.maxPrefixResults
            }
            guard seen > 0, let r = replacement(at: best.value) else { return nil }
            return (best.length, r)
        }

        /// spm_precompiled's `transform` rule: the replacement range of the shortest match.
        @inline(__always)
        func firstRule(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
            var first: Int?
            walk(bytes, from: 0) { _, value in
                first = value
                return false
            }
            return first.flatMap { replacement(at: $0) }
        }
    }

    /// Runs `body` with pointer views of the trie and table.
    func withLookup<R>(_ body: (Lookup) throws -> R) rethrows -> R {
        try units.withUnsafeBufferPointer { u in
            try normalizedTable.withUnsafeBufferPointer { t in try body(Lookup(units: u, table: t)) }
        }
    }

    /// spm_precompiled's `transform`, as HF tokenizers' `Precompiled` normalizer calls it on a
    /// grapheme or a character: a common-prefix search over the chunk's UTF-8 whose FIRST (shortest)
    /// result selects the replacement — even when that match covers only part of the chunk.
    /// Returns nil when no prefix of the chunk has a rule.
    package func transform(_ chunk: Substring) -> String? {
        var chunk = chunk
        return chunk.withUTF8 { buf in
            withLookup { lookup in
                guard let r = lookup.firstRule(buf) else { return nil }
                // Rust slices the table as a str: an index inside a character would panic there;
                // here it is treated as no rule.
                return String(validating: UnsafeBufferPointer(rebasing: lookup.table[r]), as: UTF8.self)
            }
        }
    }

    /// sentencepiece's `NormalizePrefix` rule lookup: the longest of the first
    /// ``maxPrefixResults`` prefixes of `bytes` that have a rule, as (bytes consumed, replacement
    /// bytes). Nil when no prefix matches (the caller then copies one UTF-8 character).
    package func longestPrefixMatch(_ bytes: UnsafeBufferPointer<UInt8>)
        -> (consumed: Int, replacement: ArraySlice<UInt8>)?
    {
        guard let rule = withLookup({ $0.longestRule(bytes, from: 0) }) else { return nil }
        return (rule.consumed, normalizedTable[rule.replacement])
    }

    /// Convenience over ``longestPrefixMatch(_:)-(UnsafeBufferPointer<UInt8>)`` for a byte array.
    package func longestPrefixMatch(_ bytes: ArraySlice<UInt8>) -> (consumed: Int, replacement: ArraySlice<UInt8>)? {
        bytes.withUnsafeBufferPointer { longestPrefixMatch($0) }
    }
}
