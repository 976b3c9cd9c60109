#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Follows sentencepiece's sentencepiece_processor.cc (Load, Encode + PopulateSentencePieceText,
// Decode), sentencepiece 0.2.x, as the Python `SentencePieceProcessor` exposes it.

/// A SentencePiece model (`.model` / `.spm` file) used directly, as
/// `sentencepiece.SentencePieceProcessor(model_file=...)`: `encode` gives exactly
/// `sp.encode(text)` ids and `sp.encode(text, out_type=str)` pieces (no BOS/EOS: a bare model adds
/// no special tokens, whatever `addSpecialTokens` says), `decode` gives `sp.decode(ids)`.
///
/// `Encoding.offsets` are code-point ranges in the input, as
/// `sp.encode(text, out_type="offset_mapping")` and HF tokenizers report them; ``encodePieces(_:)``
/// gives sentencepiece's own UTF-8 byte `begin`/`end`.
///
/// Immutable after loading; safe to share across threads.
public struct SentencePieceProcessor: TextTokenizer {
    /// The parsed model file.
    public let proto: SentencePieceModelProto
    let model: SentencePieceModel
    let normalizer: SentencePieceNormalizer
    let denormalizer: SentencePieceNormalizer?
    /// Names the model in error messages (its path).
    public let name: String

    /// Loads a model file.
    public init(modelFile path: String) throws {
        try self.init(proto: SentencePieceModelProto(contentsOf: path), name: path)
    }

    /// Loads a serialized `ModelProto`.
    public init(bytes: [UInt8], name: String = "SentencePiece model") throws {
        try self.init(proto: SentencePieceModelProto(bytes: bytes, name: name), name: name)
    }

    /// Builds the processor for a parsed model, validating it as sentencepiece's `Load` does.
    public init(proto: SentencePieceModelProto, name: String) throws {
        self.proto = proto
        self.name = name
        model = try SentencePieceModel(proto: proto, name: name)
        normalizer = try SentencePieceNormalizer(
            spec: proto.normalizerSpec, treatWhitespaceAsSuffix: proto.trainerSpec.treatWhitespaceAsSuffix,
            userDefinedSymbols: model.userDefined, context: "\(name) normalizer_spec")
        if let d = proto.denormalizerSpec, !d.precompiledCharsmap.isEmpty {
            denormalizer = try SentencePieceNormalizer(
                spec: d, treatWhitespaceAsSuffix: false, userDefinedSymbols: nil,
                context: "\(name) denormalizer_spec")
        } else {
            denormalizer = nil
        }
    }

    /// The number of pieces (`GetPieceSize()`).
    public var pieceCount: Int { model.count }

    /// `PieceToId`: the id of `piece`, or the unknown id when it is not in the model.
    public func pieceToId(_ piece: String) -> Int32 { model.pieceToId(piece) }

    /// `IdToPiece`, nil outside `0..<pieceCount`.
    public func idToPiece(_ id: Int32) -> String? {
        id >= 0 && Int(id) < model.count ? model.pieces[Int(id)] : nil
    }

    /// The piece's type, nil outside `0..<pieceCount`.
    public func pieceType(_ id: Int32) -> SentencePieceModelProto.PieceType? {
        id >= 0 && Int(id) < model.count ? model.types[Int(id)] : nil
    }

    /// The unknown piece's id.
    public var unkId: Int32 { model.unkId }

    /// The model's normalization of `text` (`SentencePieceNormalizer.normalize`, with the model's
    /// whitespace options, user-defined symbols kept verbatim).
    public func normalize(_ text: String) -> String { normalizer.normalize(text) }

    // MARK: Encoding

    /// Encodes `text` as `sp.encode`: ids, pieces and UTF-8 byte offsets (sentencepiece's
    /// `begin`/`end`). Runs of unknown
    /// characters merge into one unknown piece; with byte fallback they become `<0xXX>` pieces.
    /// - Throws: `TokenizerError.invalidArgument` where sentencepiece reports an error (a segment
    ///   that maps to a control piece leaves text unconsumed).
    public func encodePieces(_ text: String) throws -> (ids: [Int32], pieces: [String], offsets: [Range<Int>]) {
        var text = text
        return try text.withUTF8 { input in
            let (normalized, normToOrig) = normalizer.normalize(input)
            var ids: [Int32] = [], pieces: [String] = [], offsets: [Range<Int>] = []
            let result = normalized.withUnsafeBufferPointer { model.encode($0) }
            ids.reserveCapacity(result.count); pieces.reserveCapacity(result.count); offsets.reserveCapacity(result.count)
            var consumed = 0
            var isPrevUnknown = false
            for (range, id) in result {
                let isUnknown = model.isUnknown(id)
                if model.isControl(id) {
                    // sentencepiece gives control pieces no surface and does not advance, which then
                    // fails its "all normalized characters are consumed" check below.
                    ids.append(id); pieces.append(model.pieces[Int(id)])
                    offsets.append(normToOrig[consumed]..<normToOrig[consumed])
                } else {
                    let begin = consumed, end = consumed + range.count
                    guard end < normToOrig.count, normToOrig[begin] <= normToOrig[end] else {
                        throw TokenizerError.invalidArgument("\(name): inconsistent normalization offsets")
                    }
                    let orig = normToOrig[begin]..<normToOrig[end]
                    if isUnknown && model.byteFallback {
                        for (k, b) in normalized[range].enumerated() {
                            let byteId = model.byteIds[Int(b)]
                            ids.append(byteId); pieces.append(model.pieces[Int(byteId)])
                            // The last byte piece carries the character's surface; the others are empty.
                            offsets.append(k == range.count - 1 ? orig : orig.lowerBound..<orig.lowerBound)
                        }
                    } else if isPrevUnknown && isUnknown, let last = pieces.indices.last {
                        pieces[last] += String(decoding: normalized[range], as: UTF8.self)
                        offsets[last] = offsets[last].lowerBound..<orig.upperBound
                    } else {
                        ids.append(id)
                        pieces.append(isUnknown ? String(decoding: normalized[range], as: UTF8.self)
                                                : model.pieces[Int(id)])
                        offsets.append(orig)
                    }
                    consumed = end
                }
                isPrevUnknown = isUnknown
            }
            guard consumed == normalized.count else {
                throw TokenizerError.invalidArgument(
                    "\(name): all normalized characters are not consumed (the text maps to a control piece)")
            }
            return (ids, pieces, offsets)
        }
    }

    /// `sp.encode(text)`.
    public func encodeIds(_ text: String) throws -> [Int32] { try encodePieces(text).ids }

    // MARK: Decoding

    /// `sp.decode(ids)`. Ids outside the model throw `TokenizerError.invalidArgument`.
    public func decode(ids: [Int32]) throws -> String {
        var pieces: [String] = []
        pieces.reserveCapacity(ids.count)
        for id in ids {
            guard let p = idToPiece(id) else {
                throw TokenizerError.invalidArgument("\(name): invalid id \(id) (model has \(model.count) pieces)")
            }
            pieces.append(p)
        }
        return decode(pieces: pieces)
    }

    /// `sp.decode_pieces(pieces)`: pieces not in the model decode as themselves (spaces kept as
    /// U+2581), control pieces vanish, `<unk>` becomes the unknown surface, byte pieces are
    /// reassembled into UTF-8 (malformed bytes -> U+FFFD each), the first piece loses its dummy-prefix
    /// space, and the denormalizer (if any) runs last.
    public func decode(pieces: [String]) -> String {
        var text: [UInt8] = []
        var pendingBytes: [UInt8] = []
        var isBosWhitespace = true
        var bosWhitespaceSeen = false
        let spec = proto.normalizerSpec
        let stripsLeadingSpace = spec.addDummyPrefix || spec.removeExtraWhitespaces

        func flushBytes() {
            guard !pendingBytes.isEmpty else { return }
            pendingBytes.withUnsafeBufferPointer { b in
                var offset = 0
                while offset < b.count {
                    let (length, valid) = SentencePieceUTF8.decodeLength(b, from: offset)
                    if valid {
                        text += b[offset..<(offset + length)]
                        offset += length
                    } else {
                        text += SentencePieceUTF8.replacementCharacter
                        offset += 1
                    }
                }
            }
            pendingBytes.removeAll(keepingCapacity: true)
        }

        for piece in pieces {
            let id = model.pieceToId(piece)
            if model.isByte(id), let b = SentencePieceModel.byteValue(ofPiece: model.pieces[Int(id)]) {
                pendingBytes.append(b)
                continue
            }
            flushBytes()
            if bosWhitespaceSeen || !text.isEmpty { isBosWhitespace = false }
            var hasBosWhitespace = false
            if model.isControl(id) {
                // Invisible.
            } else if model.isUnknown(id) {
                // Bytewise comparison (String == is canonical equivalence).
                text += model.pieces[Int(id)].utf8.elementsEqual(piece.utf8)
                    ? Array(proto.trainerSpec.unkSurface.utf8) : Array(piece.utf8)
            } else {
                let bytes = Array(piece.utf8)
                var start = 0
                if isBosWhitespace && stripsLeadingSpace {
                    if bytes.starts(with: SentencePieceUTF8.spaceSymbol) {
                        start = 3
                        hasBosWhitespace = true
                    }
                    if spec.removeExtraWhitespaces { hasBosWhitespace = false }
                }
                var i = start
                while i < bytes.count {
                    if bytes[i] == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x96, bytes[i + 2] == 0x81 {
                        text.append(UInt8(ascii: " "))
                        i += 3
                    } else {
                        text.append(bytes[i])
                        i += 1
                    }
                }
            }
            bosWhitespaceSeen = hasBosWhitespace
        }
        flushBytes()
        let out = String(decoding: text, as: UTF8.self)
        if let d = denormalizer { return d.normalize(out) }
        return out
    }

    // MARK: TextTokenizer

    /// Encodes as `sp.encode(text)`; a pair is encoded separately and appended (type id 1).
    /// `addSpecialTokens` has no effect: a bare SentencePiece model adds no BOS/EOS.
    public func encode(_ text: String, pair: String?, addSpecialTokens: Bool) throws -> Encoding {
        let a = try encodePieces(text)
        let mapA = SentencePieceUTF8.scalarIndexByByte(text)
        var ids = a.ids, tokens = a.pieces, offsets = a.offsets.map { mapA[$0.lowerBound]..<mapA[$0.upperBound] }
        var typeIds = [Int32](repeating: 0, count: ids.count)
        if let pair {
            let b = try encodePieces(pair)
            let mapB = SentencePieceUTF8.scalarIndexByByte(pair)
            ids += b.ids; tokens += b.pieces; offsets += b.offsets.map { mapB[$0.lowerBound]..<mapB[$0.upperBound] }
            typeIds += [Int32](repeating: 1, count: b.ids.count)
        }
        return Encoding(ids: ids, tokens: tokens, offsets: offsets, typeIds: typeIds,
                        specialTokensMask: [Int32](repeating: 0, count: ids.count),
                        attentionMask: [Int32](repeating: 1, count: ids.count))
    }

    /// `sp.decode(ids)`; with `skipSpecialTokens`, control and unknown ids are dropped first.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool) throws -> String {
        let special = skipSpecialTokens ? specialTokenIds : []
        return try decode(ids: skipSpecialTokens ? ids.filter { !special.contains($0) } : ids)
    }

    public var vocabularySize: Int { model.count }

    /// The id of a piece that is in the model (nil, not the unknown id, otherwise).
    public func tokenToId(_ token: String) -> Int32? {
        var t = token
        return t.withUTF8 { model.reserved.exactMatch($0) ?? model.trie.exactMatch($0) }
    }

    public func idToToken(_ id: Int32) -> String? { idToPiece(id) }

    /// Control and unknown pieces.
    public var specialTokenIds: Set<Int32> {
        Set(model.types.indices.filter { model.types[$0] == .control || model.types[$0] == .unknown }.map { Int32($0) })
    }
}
