import LMInput

// Follows sentencepiece's model_interface.cc (InitializePieces, PieceToId, SplitIntoWords) and the
// model factory (unigram, bpe, word, char), sentencepiece 0.2.x.


/// The vocabulary and segmentation algorithm of a SentencePiece model: turns normalized bytes
/// into (piece range, id) pairs, as sentencepiece's `ModelInterface::Encode`.
struct SentencePieceModel: Sendable {
    typealias PieceType = SentencePieceModelProto.PieceType

    let modelType: SentencePieceModelProto.ModelType
    let pieces: [String]
    let types: [PieceType]
    let scores: [Float]
    /// NORMAL, USER_DEFINED and UNUSED pieces (sentencepiece's `pieces_`).
    let trie: SentencePieceTrie
    /// CONTROL, UNKNOWN and BYTE pieces (`reserved_id_map_`), looked up first by `pieceToId`.
    let reserved: SentencePieceTrie
    /// USER_DEFINED pieces, matched before normalization and never split.
    let userDefined: SentencePieceTrie?
    let unkId: Int32
    let byteFallback: Bool
    /// For byte fallback: the id of `<0xXX>` for each byte value.
    let byteIds: [Int32]
    let treatWhitespaceAsSuffix: Bool
    let allowWhitespaceOnlyPieces: Bool
    /// Extremes over NORMAL pieces, initialized as sentencepiece does (FLT_MAX / FLT_MIN).
    let minScore: Float
    let maxScore: Float
    let hasUnused: Bool

    init(proto: SentencePieceModelProto, name: String) throws {
        modelType = proto.trainerSpec.modelType
        let count = proto.pieces.count
        guard count < Int(Int32.max) else {
            throw InputError.format("\(name): too many pieces (\(count))")
        }
        var pieces: [String] = [], types: [PieceType] = [], scores: [Float] = []
        pieces.reserveCapacity(count); types.reserveCapacity(count); scores.reserveCapacity(count)
        var normalKeys: [(bytes: [UInt8], value: Int32)] = []
        var reservedKeys: [(bytes: [UInt8], value: Int32)] = []
        var userKeys: [(bytes: [UInt8], value: Int32)] = []
        // Keyed by bytes: Swift String equality is canonical equivalence, sentencepiece's is bytewise.
        var seenNormal = Set<[UInt8]>(), seenReserved = Set<[UInt8]>()
        var unk: Int32 = -1
        var byteIds = [Int32](repeating: -1, count: 256)
        var minScore = Float.greatestFiniteMagnitude
        var maxScore = Float.leastNormalMagnitude
        var hasUnused = false
        for (i, p) in proto.pieces.enumerated() {
            let id = Int32(i)
            guard !p.piece.isEmpty else {
                throw InputError.format("\(name): piece \(i) is empty")
            }
            let isNormal = p.type == .normal || p.type == .userDefined || p.type == .unused
            if isNormal {
                guard seenNormal.insert(Array(p.piece.utf8)).inserted else {
                    throw InputError.format("\(name): piece '\(p.piece)' (id \(i)) is already defined")
                }
                normalKeys.append((Array(p.piece.utf8), id))
            } else {
                guard seenReserved.insert(Array(p.piece.utf8)).inserted else {
                    throw InputError.format("\(name): piece '\(p.piece)' (id \(i)) is already defined")
                }
                reservedKeys.append((Array(p.piece.utf8), id))
            }
            switch p.type {
            case .userDefined: userKeys.append((Array(p.piece.utf8), id))
            case .unknown:
                guard unk < 0 else { throw InputError.format("\(name): unk is already defined (id \(i))") }
                unk = id
            case .byte:
                guard proto.trainerSpec.byteFallback else {
                    throw InputError.format(
                        "\(name): byte piece \(p.piece) is found although byte_fallback is false")
                }
                guard let b = Self.byteValue(ofPiece: p.piece) else {
                    throw InputError.format("\(name): byte piece \(p.piece) is invalid")
                }
                byteIds[Int(b)] = id
            case .normal:
                minScore = min(minScore, p.score)
                maxScore = max(maxScore, p.score)
            case .unused: hasUnused = true
            case .control: break
            }
            pieces.append(p.piece); types.append(p.type); scores.append(p.score)
        }
        guard unk >= 0 else { throw InputError.format("\(name): unk is not defined") }
        if proto.trainerSpec.byteFallback, byteIds.contains(-1) {
            throw InputError.format("\(name): there are not 256 byte pieces although byte_fallback is true")
        }
        if modelType == .unigram, normalKeys.isEmpty {
            throw InputError.format("\(name): no pieces are loaded")
        }
        self.pieces = pieces
        self.types = types
        self.scores = scores
        self.trie = SentencePieceTrie(keys: normalKeys)
        self.reserved = SentencePieceTrie(keys: reservedKeys)
        self.userDefined = userKeys.isEmpty ? nil : SentencePieceTrie(keys: userKeys)
        self.unkId = unk
        self.byteFallback = proto.trainerSpec.byteFallback
        self.byteIds = byteIds
        self.treatWhitespaceAsSuffix = proto.trainerSpec.treatWhitespaceAsSuffix
        self.allowWhitespaceOnlyPieces = proto.trainerSpec.allowWhitespaceOnlyPieces
        self.minScore = minScore
        self.maxScore = maxScore
        self.hasUnused = hasUnused
    }

    /// `<0xXX>` (upper-case hex, as sentencepiece's `ByteToPiece` writes it) -> XX.
    static func byteValue(ofPiece piece: String) -> UInt8? {
        let u = Array(piece.utf8)
        guard u.count == 6, u[0] == UInt8(ascii: "<"), u[1] == UInt8(ascii: "0"), u[2] == UInt8(ascii: "x"),
              u[5] == UInt8(ascii: ">") else { return nil }
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        guard let hi = hex(u[3]), let lo = hex(u[4]) else { return nil }
        return hi << 4 | lo
    }

    var count: Int { pieces.count }

    @inline(__always) func isUnused(_ id: Int32) -> Bool { types[Int(id)] == .unused }
    @inline(__always) func isUserDefined(_ id: Int32) -> Bool { types[Int(id)] == .userDefined }
    @inline(__always) func isControl(_ id: Int32) -> Bool { types[Int(id)] == .control }
    @inline(__always) func isUnknown(_ id: Int32) -> Bool { types[Int(id)] == .unknown }
    @inline(__always) func isByte(_ id: Int32) -> Bool { types[Int(id)] == .byte }

    /// sentencepiece's `PieceToId`: reserved pieces first, then the vocabulary, else unk.
    func pieceToId(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        reserved.exactMatch(bytes) ?? trie.exactMatch(bytes) ?? unkId
    }

    func pieceToId(_ piece: String) -> Int32 {
        var piece = piece
        return piece.withUTF8 { pieceToId($0) }
    }

    /// sentencepiece's `PrefixMatcher::PrefixMatch` over the user-defined symbols: the length of
    /// the longest symbol at `i` (found), else one character (not found).
    @inline(__always)
    func prefixMatch(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> (length: Int, found: Bool) {
        if let u = userDefined, let base = bytes.baseAddress,
           let m = u.longestPrefix(UnsafeBufferPointer(start: base + i, count: bytes.count - i)) {
            return (m.length, true)
        }
        return (min(bytes.count - i, SentencePieceUTF8.oneCharLength(bytes[i])), false)
    }

    /// Segments normalized text: (byte range in `normalized`, id) per piece.
    func encode(_ normalized: UnsafeBufferPointer<UInt8>) -> [(range: Range<Int>, id: Int32)] {
        guard !normalized.isEmpty else { return [] }
        switch modelType {
        case .unigram: return encodeUnigram(normalized)
        case .bpe: return encodeBPE(normalized)
        case .char:
            var out: [(Range<Int>, Int32)] = []
            var i = 0
            while i < normalized.count {
                let n = prefixMatch(normalized, i).length
                out.append((i..<(i + n), pieceToId(UnsafeBufferPointer(rebasing: normalized[i..<(i + n)]))))
                i += n
            }
            return out
        case .word:
            return Self.splitIntoWords(normalized, treatWhitespaceAsSuffix: false, allowWhitespaceOnlyPieces: false)
                .map { ($0, pieceToId(UnsafeBufferPointer(rebasing: normalized[$0]))) }
        }
    }

    /// sentencepiece's `SplitIntoWords`: splits before each U+2581 (or after, as suffix).
    static func splitIntoWords(_ text: UnsafeBufferPointer<UInt8>, treatWhitespaceAsSuffix: Bool,
                               allowWhitespaceOnlyPieces: Bool) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var begin = 0
        let end = text.count
        var inWhitespaceSequence = false
        func isSpaceSymbol(_ i: Int, _ n: Int) -> Bool {
            n == 3 && text[i] == 0xE2 && text[i + 1] == 0x96 && text[i + 2] == 0x81
        }
        if treatWhitespaceAsSuffix {
            if begin < end { result.append(begin..<begin) }
            while begin < end {
                let n = min(SentencePieceUTF8.oneCharLength(text[begin]), end - begin)
                let isWS = isSpaceSymbol(begin, n)
                if isWS {
                    inWhitespaceSequence = true
                } else if inWhitespaceSequence {
                    if allowWhitespaceOnlyPieces { result.append(begin..<begin) }
                    inWhitespaceSequence = false
                }
                let last = result.count - 1
                result[last] = result[last].lowerBound..<(result[last].upperBound + n)
                begin += n
                if begin < end && isWS && !allowWhitespaceOnlyPieces { result.append(begin..<begin) }
            }
        } else {
            while begin < end {
                let n = min(SentencePieceUTF8.oneCharLength(text[begin]), end - begin)
                let isWS = isSpaceSymbol(begin, n)
                if begin == 0 || (isWS && (!inWhitespaceSequence || !allowWhitespaceOnlyPieces)) {
                    result.append(begin..<begin)
                    inWhitespaceSequence = true
                }
                if inWhitespaceSequence && !isWS { inWhitespaceSequence = false }
                let last = result.count - 1
                result[last] = result[last].lowerBound..<(result[last].upperBound + n)
                begin += n
            }
        }
        return result
    }
}
