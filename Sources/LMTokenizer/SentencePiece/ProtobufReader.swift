import LMInput

// A minimal protobuf wire-format reader (proto2 encoding as documented at
// protobuf.dev/programming-guides/encoding), enough for sentencepiece_model.proto. Every varint,
// length and fixed-width read is bounds-checked and reported with the message's name.


/// Protobuf wire types.
enum ProtobufWireType: UInt64 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// Reads the fields of one protobuf message from a byte range of a shared buffer.
struct ProtobufReader {
    private let data: [UInt8]
    private var position: Int
    private let end: Int
    /// Names the file and message being read, for error messages.
    let context: String

    init(_ data: [UInt8], range: Range<Int>? = nil, context: String) {
        let r = range ?? 0..<data.count
        self.data = data
        self.position = max(0, min(r.lowerBound, data.count))
        self.end = max(self.position, min(r.upperBound, data.count))
        self.context = context
    }

    var isAtEnd: Bool { position >= end }

    private func error(_ what: String) -> InputError {
        .format("\(context): malformed protobuf: \(what) at byte \(position)")
    }

    /// Reads a base-128 varint (at most 10 bytes, as protobuf allows).
    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw error("truncated varint") }
            let byte = data[position]
            position += 1
            guard shift < 64 else { throw error("varint longer than 10 bytes") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Reads the next field key, or nil at the end of the message.
    mutating func nextField() throws -> (number: Int, wireType: ProtobufWireType)? {
        guard !isAtEnd else { return nil }
        let key = try readVarint()
        guard let wireType = ProtobufWireType(rawValue: key & 7) else {
            throw error("invalid wire type \(key & 7)")
        }
        let number = key >> 3
        guard number >= 1, number <= 0x1FFF_FFFF else { throw error("invalid field number \(number)") }
        return (Int(number), wireType)
    }

    /// Reads a length prefix and returns the byte range it covers, checked against the message end.
    mutating func readLengthDelimited() throws -> Range<Int> {
        let length = try readVarint()
        guard length <= UInt64(end - position) else {
            throw error("length \(length) runs past the end of the message (\(end - position) bytes left)")
        }
        let start = position
        position += Int(length)
        return start..<position
    }

    mutating func readBytes() throws -> [UInt8] {
        Array(data[try readLengthDelimited()])
    }

    mutating func readString(field: String) throws -> String {
        let range = try readLengthDelimited()
        guard let s = String(validating: data[range], as: UTF8.self) else {
            throw InputError.format("\(context): field \(field) is not valid UTF-8")
        }
        return s
    }

    mutating func readFixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw error("truncated fixed32") }
        let b = data[position..<(position + 4)]
        position += 4
        return b.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func readFloat() throws -> Float { Float(bitPattern: try readFixed32()) }

    /// proto2 `bool`: any nonzero varint is true.
    mutating func readBool() throws -> Bool { try readVarint() != 0 }

    /// proto2 `int32`: a varint whose low 32 bits are the two's-complement value (negative values
    /// are written sign-extended to 64 bits).
    mutating func readInt32() throws -> Int32 { Int32(truncatingIfNeeded: try readVarint()) }

    /// A reader over an embedded message.
    mutating func readMessage(name: String) throws -> ProtobufReader {
        let range = try readLengthDelimited()
        return ProtobufReader(data, range: range, context: "\(context) \(name)")
    }

    /// Skips a field's value of the given wire type. Groups are deprecated and not produced by
    /// sentencepiece; they are rejected.
    mutating func skip(_ wireType: ProtobufWireType) throws {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64:
            guard end - position >= 8 else { throw error("truncated fixed64") }
            position += 8
        case .lengthDelimited: _ = try readLengthDelimited()
        case .fixed32:
            guard end - position >= 4 else { throw error("truncated fixed32") }
            position += 4
        case .startGroup, .endGroup: throw error("unsupported group wire type")
        }
    }

    /// Throws unless `actual` is the wire type the schema gives `field`.
    func expect(_ actual: ProtobufWireType, _ expected: ProtobufWireType, field: String) throws {
        guard actual == expected else {
            throw InputError.format(
                "\(context): field \(field) has wire type \(actual.rawValue), expected \(expected.rawValue)")
        }
    }
}
