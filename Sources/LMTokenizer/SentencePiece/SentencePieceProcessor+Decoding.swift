import LMInput

// Follows sentencepiece's SentencePieceProcessor::Decode (sentencepiece_processor.cc, 0.2.x):
// control pieces vanish, <unk> becomes the unknown surface, byte pieces are reassembled into UTF-8
// (each malformed byte -> U+FFFD), U+2581 becomes a space, the leading dummy-prefix space is
// dropped, and the denormalizer (if any) runs last.


extension SentencePieceProcessor {
    /// Per-id facts for decoding, computed once at load.
    struct DecodeTable: Sendable {
        /// `PieceToId(IdToPiece(id))`: sentencepiece decodes ids through their piece strings, so a
        /// piece spelled like a reserved one decodes as the reserved one.
        let canonicalId: [Int32]
        /// The byte of a `<0xXX>` piece, or -1.
        let byteValue: [Int16]

        init(model: SentencePieceModel) {
            canonicalId = model.pieces.map { model.pieceToId($0) }
            byteValue = model.pieces.indices.map { i in
                model.types[i] == .byte ? SentencePieceModel.byteValue(ofPiece: model.pieces[i]).map(Int16.init) ?? -1 : -1
            }
        }
    }

    /// `sp.decode(ids)`. Ids outside the model throw `InputError.invalidArgument`.
    package func decode(ids: [Int32]) throws -> String {
        for id in ids where id < 0 || Int(id) >= model.count {
            throw InputError.invalidArgument("\(name): invalid id \(id) (model has \(model.count) pieces)")
        }
        return decode(count: ids.count) { k in
            let id = Int(ids[k])
            return (decodeTable.canonicalId[id], model.pieces[id])
        }
    }

    /// `sp.decode_pieces(pieces)`: pieces not in the model decode as themselves (U+2581 kept).
    package func decode(pieces: [String]) -> String {
        decode(count: pieces.count) { k in (model.pieceToId(pieces[k]), pieces[k]) }
    }

    /// The decoder over `count` (id, piece) items, `id` being `PieceToId(piece)`.
    private func decode(count: Int, _ item: (Int) -> (id: Int32, piece: String)) -> String {
        var text: [UInt8] = []
        var pendingBytes: [UInt8] = []
        var isBosWhitespace = true
        var bosWhitespaceSeen = false
        let spec = proto.normalizerSpec
        let stripsLeadingSpace = spec.addDummyPrefix || spec.removeExtraWhitespaces


        for k in 0..<count {
            var (id, piece) = item(k)
            let idx = Int(id)
            let byte = decodeTable.byteValue[idx]
            if byte >= 0 {
                pendingBytes.append(UInt8(byte))
                continue
            }
            Self.flushBytes(&pendingBytes, into: &text)
            if bosWhitespaceSeen || !text.isEmpty { isBosWhitespace = false }
            var hasBosWhitespace = false
            switch model.types[idx] {
            case .control:
                break  // invisible
            case .unknown:
                // Bytewise comparison (String == is canonical equivalence).
                if model.pieces[idx].utf8.elementsEqual(piece.utf8) {
                    text += proto.trainerSpec.unkSurface.utf8
                } else {
                    text += piece.utf8
                }
            default:
                let stripFirst = isBosWhitespace && stripsLeadingSpace
                hasBosWhitespace = piece.withUTF8 { Self.appendPiece($0, stripFirstSpace: stripFirst, to: &text) }
                if stripFirst && spec.removeExtraWhitespaces { hasBosWhitespace = false }
            }
            bosWhitespaceSeen = hasBosWhitespace
        }
        Self.flushBytes(&pendingBytes, into: &text)
        let out = String(decoding: text, as: UTF8.self)
        if let d = denormalizer { return d.normalize(out) }
        return out
    }

    /// Appends a piece with U+2581 as spaces; with `stripFirstSpace`, a leading U+2581 is dropped.
    /// Returns whether it was.
    @inline(__always)
    private static func appendPiece(_ bytes: UnsafeBufferPointer<UInt8>, stripFirstSpace: Bool, to text: inout [UInt8]) -> Bool {
        var i = 0
        var stripped = false
        if stripFirstSpace, bytes.count >= 3, bytes[0] == 0xE2, bytes[1] == 0x96, bytes[2] == 0x81 {
            i = 3
            stripped = true
        }
        while i < bytes.count {
            if bytes[i] == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x96, bytes[i + 2] == 0x81 {
                text.append(UInt8(ascii: " "))
                i += 3
            } else {
                text.append(bytes[i])
                i += 1
            }
        }
        return stripped
    }

    /// Reassembles pending byte pieces into UTF-8; each malformed byte becomes U+FFFD.
    private static func flushBytes(_ pending: inout [UInt8], into text: inout [UInt8]) {
        guard !pending.isEmpty else { return }
        pending.withUnsafeBufferPointer { b in
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
        pending.removeAll(keepingCapacity: true)
    }
}
