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
            } catch let e as TokenizerError {
                throw TokenizerError.format("\(context): \(e.description)")
            }
        }
        addDummyPrefix = spec.addDummyPrefix
        removeExtraWhitespaces = spec.removeExtraWhitespaces
        escapeWhitespaces = spec.escapeWhitespaces
        self.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix
        self.userDefinedSymbols = userDefinedSymbols
    }

    /// Where one `NormalizePrefix` step's output comes from.
    private enum Source { case input, table, replacementCharacter }

    /// One `NormalizePrefix` step at `i`: the output bytes (as a source and range) and the number
    /// of input bytes consumed.
    @inline(__always)
    private func normalizePrefix(_ input: UnsafeBufferPointer<UInt8>, _ i: Int)
        -> (source: Source, range: Range<Int>, consumed: Int)
    {
        if let symbols = userDefinedSymbols, let base = input.baseAddress,
           let m = symbols.longestPrefix(UnsafeBufferPointer(start: base + i, count: input.count - i)) {
            return (.input, i..<(i + m.length), m.length)
        }
        if let map = charsmap, let rule = map.longestRule(input, from: i) {
            return (.table, rule.replacement, rule.consumed)
        }
        let (length, valid) = SentencePieceUTF8.decodeLength(input, from: i)
        if !valid { return (.replacementCharacter, 0..<3, 1) }
        return (.input, i..<(i + length), length)
    }

    /// Normalizes `input` (UTF-8). Returns the normalized bytes and, for each normalized byte plus
    /// one past the end, the input offset it came from (`norm_to_orig`).
    func normalize(_ input: UnsafeBufferPointer<UInt8>) -> (normalized: [UInt8], normToOrig: [Int]) {
        var normalized: [UInt8] = []
        var normToOrig: [Int] = []
        guard !input.isEmpty else { return ([], []) }
        let space = UInt8(ascii: " ")
        let table = charsmap?.normalizedTable ?? []
        return table.withUnsafeBufferPointer { table in
            @inline(__always) func bytes(_ source: Source, _ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
                switch source {
                case .input: return UnsafeBufferPointer(rebasing: input[range])
                case .table: return UnsafeBufferPointer(rebasing: table[range])
                case .replacementCharacter:
                    // Handled by the callers (its bytes are not in either buffer).
                    return UnsafeBufferPointer(start: nil, count: 0)
                }
            }
            var i = 0
            var consumed = 0
            if removeExtraWhitespaces {
                // Leading whitespace: skip steps whose output is exactly " ".
                while i < input.count {
                    let p = normalizePrefix(input, i)
                    let out = p.source == .replacementCharacter ? [] : Array(bytes(p.source, p.range))
                    if out != [space] { break }
                    i += p.consumed
                    consumed += p.consumed
                }
            }
            if i >= input.count { return ([], []) }

            normalized.reserveCapacity((input.count - i) * 3)
            normToOrig.reserveCapacity((input.count - i) * 3)
            func addSpace() {
                if escapeWhitespaces {
                    normalized += SentencePieceUTF8.spaceSymbol
                    normToOrig += [consumed, consumed, consumed]
                } else {
                    normalized.append(space)
                    normToOrig.append(consumed)
                }
            }
            if !treatWhitespaceAsSuffix && addDummyPrefix { addSpace() }

            var isPrevSpace = removeExtraWhitespaces
            while i < input.count {
                let p = normalizePrefix(input, i)
                var sp: UnsafeBufferPointer<UInt8>
                if p.source == .replacementCharacter {
                    sp = UnsafeBufferPointer(start: nil, count: 0)
                    normalized += SentencePieceUTF8.replacementCharacter
                    normToOrig += [consumed, consumed, consumed]
                    isPrevSpace = false
                } else {
                    sp = bytes(p.source, p.range)
                }
                var start = 0
                while isPrevSpace, start < sp.count, sp[start] == space { start += 1 }
                if start < sp.count {
                    for n in start..<sp.count {
                        if escapeWhitespaces && sp[n] == space {
                            normalized += SentencePieceUTF8.spaceSymbol
                            normToOrig += [consumed, consumed, consumed]
                        } else {
                            normalized.append(sp[n])
                            normToOrig.append(consumed)
                        }
                    }
                    isPrevSpace = sp[sp.count - 1] == space
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
            if treatWhitespaceAsSuffix && addDummyPrefix { addSpace() }
            normToOrig.append(consumed)
            return (normalized, normToOrig)
        }
    }

    /// Normalizes a string (invalid UTF-8 cannot occur in a Swift String).
    func normalize(_ text: String) -> String {
        var text = text
        let (out, _) = text.withUTF8 { normalize($0) }
        return String(decoding: out, as: UTF8.self)
    }
}
