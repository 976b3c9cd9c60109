import LMInput

// Follows sentencepiece's normalizer.cc (Normalizer::Normalize and NormalizePrefix, 0.2.x):
// rule lookup by longest match on the precompiled charsmap, user-defined symbols copied
// verbatim, extra whitespace removal, the dummy prefix and escaping spaces as U+2581.


/// sentencepiece's text normalizer, configured by a `NormalizerSpec`. Also used, with the
/// `denormalizer_spec`, to post-process decoded text.
struct SentencePieceNormalizer: Sendable {
    let charsmap: PrecompiledCharsmap?
    let addDummyPrefix: Bool
    let removeExtraWhitespaces: Bool
    let escapeWhitespaces: Bool
    let treatWhitespaceAsSuffix: Bool
    /// User-defined symbols, never normalized (`SetPrefixMatcher`).
    let userDefinedSymbols: SentencePieceTrie?

    init(spec: SentencePieceModelProto.NormalizerSpec, treatWhitespaceAsSuffix: Bool,
         userDefinedSymbols: SentencePieceTrie?, context: String) throws {
        if spec.precompiledCharsmap.isEmpty {
            charsmap = nil
        } else {
            do {
                charsmap = try PrecompiledCharsmap(bytes: spec.precompiledCharsmap)
            } catch let e as InputError {
                throw InputError.format("\(context): \(e.description)")
            }
        }
        addDummyPrefix = spec.addDummyPrefix
        removeExtraWhitespaces = spec.removeExtraWhitespaces
        escapeWhitespaces = spec.escapeWhitespaces
        self.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix
        self.userDefinedSymbols = userDefinedSymbols
    }

    /// Normalizes `input` (UTF-8). Returns the normalized bytes and, for each normalized byte plus
    /// one past the end, the input offset it came from (`norm_to_orig`).
    func normalize(_ input: UnsafeBufferPointer<UInt8>) -> (normalized: [UInt8], normToOrig: [Int]) {
        guard !input.isEmpty else { return ([], []) }
        let withUser = { (rules: PrecompiledCharsmap.Lookup?) in
            if let u = userDefinedSymbols {
                return u.withView { run(input, rules, $0) }
            }
            return run(input, rules, nil)
        }
        if let map = charsmap { return map.withLookup { withUser($0) } }
        return withUser(nil)
    }

    /// Where one `NormalizePrefix` step's output comes from.
    private enum Source { case input, table, replacementCharacter }

    /// One `NormalizePrefix` step at `i`: the output (source and byte range) and the number of
    /// input bytes consumed.
    @inline(__always)
    private func normalizePrefix(_ input: UnsafeBufferPointer<UInt8>, _ i: Int, _ rules: PrecompiledCharsmap.Lookup?,
                                 _ user: SentencePieceTrie.View?) -> (source: Source, range: Range<Int>, consumed: Int) {
        if let user, let m = user.longestPrefix(input, from: i) {
            return (.input, i..<(i + m.length), m.length)
        }
        if let rules, let rule = rules.longestRule(input, from: i) {
            return (.table, rule.replacement, rule.consumed)
        }
        let (length, valid) = SentencePieceUTF8.decodeLength(input, from: i)
        if !valid { return (.replacementCharacter, 0..<3, 1) }
        return (.input, i..<(i + length), length)
    }

    private func run(_ input: UnsafeBufferPointer<UInt8>, _ rules: PrecompiledCharsmap.Lookup?,
                     _ user: SentencePieceTrie.View?) -> (normalized: [UInt8], normToOrig: [Int]) {
        let space = UInt8(ascii: " ")
        let table = rules?.table ?? UnsafeBufferPointer(start: nil, count: 0)
        @inline(__always) func bytes(_ source: Source, _ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
            switch source {
            case .input: return UnsafeBufferPointer(rebasing: input[range])
            case .table: return UnsafeBufferPointer(rebasing: table[range])
            case .replacementCharacter: return UnsafeBufferPointer(start: nil, count: 0)  // handled by callers
            }
        }
        var i = 0
        var consumed = 0
        if removeExtraWhitespaces {
            // Leading whitespace: skip steps whose output is exactly " ".
            while i < input.count {
                let p = normalizePrefix(input, i, rules, user)
                let out = bytes(p.source, p.range)
                guard p.source != .replacementCharacter, out.count == 1, out[0] == space else { break }
                i += p.consumed
                consumed += p.consumed
            }
        }
        if i >= input.count { return ([], []) }

        // (No nested functions capturing these vars: that would turn every access into a dynamic
        // exclusivity check.)
        var normalized: [UInt8] = []
        var normToOrig: [Int] = []
        normalized.reserveCapacity((input.count - i) * 3 + 3)
        normToOrig.reserveCapacity((input.count - i) * 3 + 4)
        if !treatWhitespaceAsSuffix && addDummyPrefix {
            Self.addSpace(escapeWhitespaces, consumed, &normalized, &normToOrig)
        }

        var isPrevSpace = removeExtraWhitespaces
        while i < input.count {
            let p = normalizePrefix(input, i, rules, user)
            if p.source == .replacementCharacter {
                normalized.append(0xEF); normalized.append(0xBF); normalized.append(0xBD)
                normToOrig.append(consumed); normToOrig.append(consumed); normToOrig.append(consumed)
                isPrevSpace = false
            } else {
                let sp = bytes(p.source, p.range)
                var start = 0
                while isPrevSpace, start < sp.count, sp[start] == space { start += 1 }
                if start < sp.count {
                    for n in start..<sp.count {
                        let b = sp[n]
                        if escapeWhitespaces && b == space {
                            Self.addSpace(true, consumed, &normalized, &normToOrig)
                        } else {
                            normalized.append(b)
                            normToOrig.append(consumed)
                        }
                    }
                    isPrevSpace = sp[sp.count - 1] == space
                }
            }
            consumed += p.consumed
            i += p.consumed
            if !removeExtraWhitespaces { isPrevSpace = false }
        }

        if removeExtraWhitespaces {
            let symbol: [UInt8] = escapeWhitespaces ? SentencePieceUTF8.spaceSymbol : [space]
            while normalized.count >= symbol.count, normalized.suffix(symbol.count).elementsEqual(symbol) {
                let length = normalized.count - symbol.count
                consumed = normToOrig[length]
                normalized.removeSubrange(length...)
                normToOrig.removeSubrange(length...)
            }
        }
        if treatWhitespaceAsSuffix && addDummyPrefix {
            Self.addSpace(escapeWhitespaces, consumed, &normalized, &normToOrig)
        }
        normToOrig.append(consumed)
        return (normalized, normToOrig)
    }

    /// Appends U+2581 (or a plain space), all its bytes mapped to input offset `consumed`.
    @inline(__always)
    private static func addSpace(_ escape: Bool, _ consumed: Int, _ normalized: inout [UInt8], _ normToOrig: inout [Int]) {
        if escape {
            normalized.append(0xE2); normalized.append(0x96); normalized.append(0x81)
            normToOrig.append(consumed); normToOrig.append(consumed); normToOrig.append(consumed)
        } else {
            normalized.append(UInt8(ascii: " "))
            normToOrig.append(consumed)
        }
    }

    /// Normalizes a string (invalid UTF-8 cannot occur in a Swift String).
    func normalize(_ text: String) -> String {
        var text = text
        let (out, _) = text.withUTF8 { normalize($0) }
        return String(decoding: out, as: UTF8.self)
    }
}
