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
public struct SentencePieceModelProto: Sendable {
    /// `ModelProto.SentencePiece.Type`.
    public enum PieceType: Int32, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// `ModelProto.SentencePiece`.
    public struct Piece: Sendable, Equatable {
        public var piece: String = ""
        public var score: Float = 0
        public var type: PieceType = .normal
    }

    /// `TrainerSpec.ModelType`.
    public enum ModelType: Int32, Sendable {
        case unigram = 1, bpe = 2, word = 3, char = 4
    }

    /// The `TrainerSpec` fields that affect encoding and decoding.
    public struct TrainerSpec: Sendable {
        public var modelType: ModelType = .unigram
        public var vocabSize: Int32 = 8000
        public var treatWhitespaceAsSuffix = false
        public var allowWhitespaceOnlyPieces = false
        public var splitDigits = false
        public var byteFallback = false
        public var unkId: Int32 = 0
        public var bosId: Int32 = 1
        public var eosId: Int32 = 2
        public var padId: Int32 = -1
        public var unkPiece = "<unk>"
        public var bosPiece = "<s>"
        public var eosPiece = "</s>"
        public var padPiece = "<pad>"
        /// What an unknown piece decodes to (default " \u{2047} ").
        public var unkSurface = " \u{2047} "
    }

    /// `NormalizerSpec` (also used for the denormalizer).
    public struct NormalizerSpec: Sendable {
        public var name = ""
        public var precompiledCharsmap: [UInt8] = []
        public var addDummyPrefix = true
        public var removeExtraWhitespaces = true
        public var escapeWhitespaces = true
    }

    public var pieces: [Piece] = []
    public var trainerSpec = TrainerSpec()
    public var normalizerSpec = NormalizerSpec()
    /// Present when the model has a denormalizer (`denormalizer_spec`), applied when decoding.
    public var denormalizerSpec: NormalizerSpec?

    public init() {}

    /// Reads a model file.
    public init(contentsOf path: String) throws {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw InputError.io("\(path): cannot read SentencePiece model (\(error))")
        }
        try self.init(bytes: bytes, name: path)
    }

    /// Parses a serialized `ModelProto`; `name` (a file path) labels errors.
    public init(bytes: [UInt8], name: String = "SentencePiece model") throws {
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
