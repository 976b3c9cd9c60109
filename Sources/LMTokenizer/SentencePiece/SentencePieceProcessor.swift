#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LMInput

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
package struct SentencePieceProcessor: TextTokenizer {
    /// The parsed model file.
    package let proto: SentencePieceModelProto
    let model: SentencePieceModel
    let normalizer: SentencePieceNormalizer
    let denormalizer: SentencePieceNormalizer?
    /// Per id, what decoding needs (see SentencePieceProcessor+Decoding.swift).
    let decodeTable: DecodeTable
    /// Names the model in error messages (its path).
    package let name: String

    /// Loads a model file.
    package init(modelFile path: String) throws {
        try self.init(proto: SentencePieceModelProto(contentsOf: path), name: path)
    }

    /// Loads a serialized `ModelProto`.
    package init(bytes: [UInt8], name: String = "SentencePiece model") throws {
        try self.init(proto: SentencePieceModelProto(bytes: bytes, name: name), name: name)
    }

    /// Builds the processor for a parsed model, validating it as sentencepiece's `Load` does.
    package init(proto: SentencePieceModelProto, name: String) throws {
        self.proto = proto
        self.name = name
        let model = try SentencePieceModel(proto: proto, name: name)
        self.model = model
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
        decodeTable = DecodeTable(model: model)
        specialTokenIds = Set(model.types.indices.filter { model.types[$0] == .control || model.types[$0] == .unknown }
            .map { Int32($0) })
    }

    /// The number of pieces (`GetPieceSize()`).
    package var pieceCount: Int { model.count }

    /// `PieceToId`: the id of `piece`, or the unknown id when it is not in the model.
    package func pieceToId(_ piece: String) -> Int32 { model.pieceToId(piece) }

    /// `IdToPiece`, nil outside `0..<pieceCount`.
    package func idToPiece(_ id: Int32) -> String? {
        id >= 0 && Int(id) < model.count ? model.pieces[Int(id)] : nil
    }

    /// The piece's type, nil outside `0..<pieceCount`.
    package func pieceType(_ id: Int32) -> SentencePieceModelProto.PieceType? {
        id >= 0 && Int(id) < model.count ? model.types[Int(id)] : nil
    }

    /// The unknown piece's id.
    package var unkId: Int32 { model.unkId }

    /// The model's normalization of `text` (`SentencePieceNormalizer.normalize`, with the model's
    /// whitespace options, user-defined symbols kept verbatim).
    package func normalize(_ text: String) -> String { normalizer.normalize(text) }

    // MARK: Encoding

    /// Encodes `text` as `sp.encode`: ids, pieces and UTF-8 byte offsets (sentencepiece's
    /// `begin`/`end`). Runs of unknown
    /// characters merge into one unknown piece; with byte fallback they become `<0xXX>` pieces.
    /// - Throws: `InputError.invalidArgument` where sentencepiece reports an error (a segment
    ///   that maps to a control piece leaves text unconsumed).
    package func encodePieces(_ text: String) throws -> (ids: [Int32], pieces: [String], offsets: [Range<Int>]) {
        try TextLimits.check(text)
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
                        throw InputError.invalidArgument("\(name): inconsistent normalization offsets")
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
                throw InputError.invalidArgument(
                    "\(name): all normalized characters are not consumed (the text maps to a control piece)")
            }
            return (ids, pieces, offsets)
        }
    }

    /// `sp.encode(text)`.
    package func encodeIds(_ text: String) throws -> [Int32] { try encodePieces(text).ids }

    // MARK: TextTokenizer

    /// Encodes as `sp.encode(text)`; a pair is encoded separately and appended (type id 1).
    /// `addSpecialTokens` has no effect: a bare SentencePiece model adds no BOS/EOS.
    package func encode(_ text: String, pair: String?, addSpecialTokens: Bool) throws -> Encoding {
        let a = try encodePieces(text)  // encodePieces checks TextLimits, for the pair too
        var ids = a.ids, tokens = a.pieces, offsets = SentencePieceUTF8.scalarOffsets(a.offsets, in: text)
        var typeIds = [Int32](repeating: 0, count: ids.count)
        if let pair {
            let b = try encodePieces(pair)
            ids += b.ids; tokens += b.pieces; offsets += SentencePieceUTF8.scalarOffsets(b.offsets, in: pair)
            typeIds += [Int32](repeating: 1, count: b.ids.count)
        }
        return Encoding(ids: ids, tokens: tokens, offsets: offsets, typeIds: typeIds,
                        specialTokensMask: [Int32](repeating: 0, count: ids.count),
                        attentionMask: [Int32](repeating: 1, count: ids.count))
    }

    /// `sp.decode(ids)`; with `skipSpecialTokens`, control and unknown ids are dropped first.
    package func decode(_ ids: [Int32], skipSpecialTokens: Bool) throws -> String {
        let special = skipSpecialTokens ? specialTokenIds : []
        return try decode(ids: skipSpecialTokens ? ids.filter { !special.contains($0) } : ids)
    }

    package var vocabularySize: Int { model.count }

    /// The id of a piece that is in the model (nil, not the unknown id, otherwise).
    package func tokenToId(_ token: String) -> Int32? {
        var t = token
        return t.withUTF8 { model.reserved.exactMatch($0) ?? model.trie.exactMatch($0) }
    }

    package func idToToken(_ id: Int32) -> String? { idToPiece(id) }

    /// Control and unknown pieces.
    package let specialTokenIds: Set<Int32>
}
