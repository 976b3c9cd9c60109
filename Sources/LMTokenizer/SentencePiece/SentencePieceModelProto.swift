#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LMInput

// Mirrors sentencepiece_model.proto (sentencepiece 0.2.x): the fields the encoder, normalizer and
// decoder read. Unknown fields are skipped, as protobuf requires; a repeated embedded message
// merges into the earlier one, as protobuf's parser does.

/// A SentencePiece model file (`.model`, `.spm`): `ModelProto` of sentencepiece_model.proto.
package struct SentencePieceModelProto: Sendable {
    /// `ModelProto.SentencePiece.Type`.
    package enum PieceType: Int32, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// `ModelProto.SentencePiece`.
    package struct Piece: Sendable, Equatable {
        package var piece: String = ""
        package var score: Float = 0
        package var type: PieceType = .normal
    }

    /// `TrainerSpec.ModelType`.
    package enum ModelType: Int32, Sendable {
        case unigram = 1, bpe = 2, word = 3, char = 4
    }

    /// The `TrainerSpec` fields that affect encoding and decoding.
    package struct TrainerSpec: Sendable {
        package var modelType: ModelType = .unigram
        package var vocabSize: Int32 = 8000
        package var treatWhitespaceAsSuffix = false
        package var allowWhitespaceOnlyPieces = false
        package var splitDigits = false
        package var byteFallback = false
        package var unkId: Int32 = 0
        package var bosId: Int32 = 1
        package var eosId: Int32 = 2
        package var padId: Int32 = -1
        package var unkPiece = "<unk>"
        package var bosPiece = "<s>"
        package var eosPiece = "</s>"
        package var padPiece = "<pad>"
        /// What an unknown piece decodes to (default " \u{2047} ").
        package var unkSurface = " \u{2047} "
    }

    /// `NormalizerSpec` (also used for the denormalizer).
    package struct NormalizerSpec: Sendable {
        package var name = ""
        package var precompiledCharsmap: [UInt8] = []
        package var addDummyPrefix = true
        package var removeExtraWhitespaces = true
        package var escapeWhitespaces = true
    }

    package var pieces: [Piece] = []
    package var trainerSpec = TrainerSpec()
    package var normalizerSpec = NormalizerSpec()
    /// Present when the model has a denormalizer (`denormalizer_spec`), applied when decoding.
    package var denormalizerSpec: NormalizerSpec?

    package init() {}

    /// Reads a model file.
    package init(contentsOf path: String) throws {
        // FileBytes, not Data(contentsOf:), which leaked 4 KiB per empty file (libFuzzer, LeakSanitizer).
        try self.init(bytes: try FileBytes.read(path), name: path)
    }

    /// Parses a serialized `ModelProto`; `name` (a file path) labels errors.
    package init(bytes: [UInt8], name: String = "SentencePiece model") throws {
        var r = ProtobufReader(bytes, context: name)
        while let (number, wire) = try r.nextField() {
            switch number {
            case 1:
                try r.expect(wire, .lengthDelimited, field: "ModelProto.pieces")
                var m = try r.readMessage(name: "pieces[\(pieces.count)]")
                pieces.append(try Self.parsePiece(&m))
            case 2:
                try r.expect(wire, .lengthDelimited, field: "ModelProto.trainer_spec")
                var m = try r.readMessage(name: "trainer_spec")
                try Self.parseTrainerSpec(&m, into: &trainerSpec)
            case 3:
                try r.expect(wire, .lengthDelimited, field: "ModelProto.normalizer_spec")
                var m = try r.readMessage(name: "normalizer_spec")
                try Self.parseNormalizerSpec(&m, into: &normalizerSpec)
            case 5:
                try r.expect(wire, .lengthDelimited, field: "ModelProto.denormalizer_spec")
                var m = try r.readMessage(name: "denormalizer_spec")
                var spec = denormalizerSpec ?? NormalizerSpec()
                try Self.parseNormalizerSpec(&m, into: &spec)
                denormalizerSpec = spec
            default:
                try r.skip(wire)
            }
        }
        guard !pieces.isEmpty else {
            throw InputError.format("\(name): SentencePiece model has no pieces")
        }
    }

    private static func parsePiece(_ r: inout ProtobufReader) throws -> Piece {
        var p = Piece()
        while let (number, wire) = try r.nextField() {
            switch number {
            case 1:
                try r.expect(wire, .lengthDelimited, field: "piece")
                p.piece = try r.readString(field: "piece")
            case 2:
                try r.expect(wire, .fixed32, field: "score")
                p.score = try r.readFloat()
            case 3:
                try r.expect(wire, .varint, field: "type")
                let raw = try r.readInt32()
                guard let t = PieceType(rawValue: raw) else {
                    throw InputError.format("\(r.context): unknown piece type \(raw)")
                }
                p.type = t
            default:
                try r.skip(wire)
            }
        }
        return p
    }

    private static func parseTrainerSpec(_ r: inout ProtobufReader, into s: inout TrainerSpec) throws {
        while let (number, wire) = try r.nextField() {
            switch number {
            case 3:
                try r.expect(wire, .varint, field: "model_type")
                let raw = try r.readInt32()
                guard let t = ModelType(rawValue: raw) else {
                    throw InputError.format("\(r.context): unknown model_type \(raw)")
                }
                s.modelType = t
            case 4: try r.expect(wire, .varint, field: "vocab_size"); s.vocabSize = try r.readInt32()
            case 24:
                try r.expect(wire, .varint, field: "treat_whitespace_as_suffix")
                s.treatWhitespaceAsSuffix = try r.readBool()
            case 26:
                try r.expect(wire, .varint, field: "allow_whitespace_only_pieces")
                s.allowWhitespaceOnlyPieces = try r.readBool()
            case 25: try r.expect(wire, .varint, field: "split_digits"); s.splitDigits = try r.readBool()
            case 35: try r.expect(wire, .varint, field: "byte_fallback"); s.byteFallback = try r.readBool()
            case 40: try r.expect(wire, .varint, field: "unk_id"); s.unkId = try r.readInt32()
            case 41: try r.expect(wire, .varint, field: "bos_id"); s.bosId = try r.readInt32()
            case 42: try r.expect(wire, .varint, field: "eos_id"); s.eosId = try r.readInt32()
            case 43: try r.expect(wire, .varint, field: "pad_id"); s.padId = try r.readInt32()
            case 45: try r.expect(wire, .lengthDelimited, field: "unk_piece"); s.unkPiece = try r.readString(field: "unk_piece")
            case 46: try r.expect(wire, .lengthDelimited, field: "bos_piece"); s.bosPiece = try r.readString(field: "bos_piece")
            case 47: try r.expect(wire, .lengthDelimited, field: "eos_piece"); s.eosPiece = try r.readString(field: "eos_piece")
            case 48: try r.expect(wire, .lengthDelimited, field: "pad_piece"); s.padPiece = try r.readString(field: "pad_piece")
            case 44:
                try r.expect(wire, .lengthDelimited, field: "unk_surface")
                s.unkSurface = try r.readString(field: "unk_surface")
            default:
                try r.skip(wire)
            }
        }
    }

    private static func parseNormalizerSpec(_ r: inout ProtobufReader, into s: inout NormalizerSpec) throws {
        while let (number, wire) = try r.nextField() {
            switch number {
            case 1: try r.expect(wire, .lengthDelimited, field: "name"); s.name = try r.readString(field: "name")
            case 2:
                try r.expect(wire, .lengthDelimited, field: "precompiled_charsmap")
                s.precompiledCharsmap = try r.readBytes()
            case 3: try r.expect(wire, .varint, field: "add_dummy_prefix"); s.addDummyPrefix = try r.readBool()
            case 4:
                try r.expect(wire, .varint, field: "remove_extra_whitespaces")
                s.removeExtraWhitespaces = try r.readBool()
            case 5:
                try r.expect(wire, .varint, field: "escape_whitespaces")
                s.escapeWhitespaces = try r.readBool()
            default:
                try r.skip(wire)
            }
        }
    }
}
