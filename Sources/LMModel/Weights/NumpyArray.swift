import LMInput

/// The header of one array in NumPy's `.npy` format, validated against the bytes that hold it.
///
/// Layout: the magic `\x93NUMPY`, a major and minor version byte (1.0, 2.0 or 3.0), the header length
/// (2 bytes little-endian in 1.0, 4 in 2.0 and 3.0), the header, then the elements. The header is a
/// Python dict literal, `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`, which numpy reads
/// with `ast.literal_eval`; here a small strict parser takes exactly that literal (strings in single or
/// double quotes without escapes, `True`/`False`, tuples of non-negative integers) and nothing else, in
/// time and memory bounded by numpy's own header size limit.
// Follows numpy/lib/format.py (NumPy 2.x): `read_magic`, `_read_array_header`, `descr_to_dtype`.
struct NumpyArray {
    /// numpy's `_MAX_HEADER_SIZE`: `np.load` refuses longer headers unless told otherwise.
    static let maxHeaderSize = 10_000
    /// NumPy 2's limit on dimensions (NPY_MAXDIMS).
    static let maxRank = 64

    let dtype: DType
    let shape: [Int]
    /// Offset of the first element from the start of the `.npy` bytes.
    let dataOffset: Int

    /// Parses the array in `bytes` (a whole `.npy` file); `what` names the file and array in errors.
    init(bytes: UnsafeRawBufferPointer, what: String) throws {
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard bytes.count >= 10 else {
            throw InputError.format("\(what): truncated .npy data (\(bytes.count) bytes, too short for a header)")
        }
        guard bytes.prefix(6).elementsEqual(magic) else {
            throw InputError.format("\(what): not a .npy array (the data does not start with \\x93NUMPY)")
        }
        let major = bytes[6]
        let minor = bytes[7]
        guard (1...3).contains(major), minor == 0 else {
            throw InputError.unsupported("\(what): .npy format version \(major).\(minor); versions 1.0, 2.0 "
                + "and 3.0 are supported")
        }
        let reader = ByteReader(bytes: bytes, path: what, what: ".npy header")
        let prefix = major == 1 ? 10 : 12
        let declared = major == 1 ? reader.u16(8).map(Int.init) : reader.u32(8).map(Int.init)
        guard let headerLength = declared, bytes.count >= prefix else {
            throw InputError.format("\(what): truncated .npy data (\(bytes.count) bytes, too short for a header)")
        }
        guard headerLength <= NumpyArray.maxHeaderSize else {
            throw InputError.format("\(what): .npy header of \(headerLength) bytes exceeds numpy's "
                + "\(NumpyArray.maxHeaderSize)-byte limit (corrupt?)")
        }
        guard headerLength <= bytes.count - prefix else {
            throw InputError.format("\(what): .npy header of \(headerLength) bytes runs past the end of the "
                + "array's \(bytes.count) bytes (truncated)")
        }
        let text = UnsafeRawBufferPointer(rebasing: bytes[prefix..<(prefix + headerLength)])
        var parser = NumpyHeaderParser(text: text, what: what)
        let header = try parser.parseDict()

        let keys = header.map { $0.key }
        guard keys.sorted() == ["descr", "fortran_order", "shape"] else {
            throw InputError.format("\(what): .npy header has keys \(keys.map { "'\($0)'" }.joined(separator: ", ")); "
                + "expected exactly 'descr', 'fortran_order' and 'shape'")
        }
        var descr = ""
        var fortranOrder = false
        var shape: [Int] = []
        for (key, value) in header {
            switch (key, value) {
            case ("descr", .string(let s)): descr = s
            case ("descr", .list):
                throw InputError.unsupported("\(what): a structured dtype (a list descr); only plain numeric "
                    + "arrays can be read")
            case ("fortran_order", .bool(let b)): fortranOrder = b
            case ("shape", .tuple(let dims)): shape = dims
            default:
                throw InputError.format("\(what): .npy header '\(key)' is \(value.kind), expected "
                    + (key == "descr" ? "a string" : key == "shape" ? "a tuple of integers" : "True or False"))
            }
        }
        guard shape.count <= NumpyArray.maxRank else {
            throw InputError.unsupported("\(what): \(shape.count) dimensions; numpy allows at most \(NumpyArray.maxRank)")
        }
        if fortranOrder {
            throw InputError.unsupported("\(what): stored in Fortran (column-major) order; re-save it with "
                + "np.ascontiguousarray(a)")
        }
        let dtype = try NumpyArray.dtype(descr, what: what)
        let shapeText = NumpyArray.tupleText(shape)
        guard let count = SafetensorsFile.checkedProduct(shape),
              case let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize ?? 1), !overflow else {
            throw InputError.format("\(what): shape \(shapeText) of '\(descr)' overflows the addressable size")
        }
        let dataOffset = prefix + headerLength
        guard bytes.count - dataOffset == needed else {
            throw InputError.format("\(what): shape \(shapeText) of '\(descr)' needs \(needed) bytes of data but "
                + "the .npy holds \(bytes.count - dataOffset)"
                + (bytes.count - dataOffset < needed ? " (truncated)" : ""))
        }
        self.dtype = dtype
        self.shape = shape
        self.dataOffset = dataOffset
    }

    /// The element type of a `descr` string: a byte order ('<' little, '>' big, '|' not applicable,
    /// '=' native, which on the little-endian machines lmcore runs on is little) and a type code.
    static func dtype(_ descr: String, what: String) throws -> DType {
        var code = Substring(descr)
        var order: Character = "="
        if let first = code.first, "<>|=".contains(first) {
            order = first
            code = code.dropFirst()
        }
        let types: [Substring: DType] = [
            "f2": .f16, "f4": .f32, "f8": .f64, "i1": .i8, "i2": .i16, "i4": .i32, "i8": .i64,
            "u1": .u8, "u2": .u16, "u4": .u32, "u8": .u64, "b1": .bool, "c8": .c64,
        ]
        if code == "O" {
            throw InputError.unsupported("\(what): an object array (dtype '\(descr)', pickled Python objects); "
                + "only numeric arrays can be read")
        }
        guard let dtype = types[code] else {
            throw InputError.unsupported("\(what): dtype '\(descr)' is not supported (arrays of float16/32/64, "
                + "integers, bool and complex64 can be opened, and the float ones read as float32)")
        }
        let multiByte = (dtype.byteSize ?? 1) > 1
        if multiByte && order == ">" {
            throw InputError.unsupported("\(what): big-endian dtype '\(descr)'; re-save the array as "
                + "little-endian (a.astype('<\(code)'))")
        }
        if multiByte && order == "|" {
            throw InputError.format("\(what): dtype '\(descr)' gives no byte order for a multi-byte type")
        }
        return dtype
    }

    /// A shape as Python prints the tuple: (), (5,), (3, 4).
    static func tupleText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}

/// A value of the `.npy` header literal.
enum NumpyHeaderValue {
    case string(String)
    case bool(Bool)
    case tuple([Int])
    /// A list (a structured dtype's descr), recognised only to be refused by name; not kept.
    case list

    var kind: String {
        switch self {
        case .string: return "a string"
        case .bool: return "a boolean"
        case .tuple: return "a tuple"
        case .list: return "a list"
        }
    }
}

/// The strict parser of the `.npy` header literal: one flat dict, no nesting beyond a shape tuple.
struct NumpyHeaderParser {
    let text: UnsafeRawBufferPointer
    let what: String
    private var position = 0

    init(text: UnsafeRawBufferPointer, what: String) {
        self.text = text
        self.what = what
    }

    private func fail(_ reason: String) -> InputError {
        // The header as numpy wrote it, without its padding, cut short if long.
        var end = text.count
        while end > 0, text[end - 1] == 0x20 || text[end - 1] == 0x0A { end -= 1 }
        let shown = String(decoding: text[..<min(end, 120)], as: UTF8.self)
        return InputError.format("\(what): bad .npy header literal: \(reason) at character \(position) "
            + "(header \"\(shown)\(end > 120 ? "..." : "")\")")
    }

    private var current: UInt8? { position < text.count ? text[position] : nil }

    private mutating func skipSpace() {
        // Python allows any of these between the tokens of a bracketed literal; numpy pads with spaces
        // and ends the header with a newline.
        while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C { position += 1 }
    }

    private mutating func expect(_ c: UInt8, _ what: String) throws {
        skipSpace()
        guard current == c else { throw fail("expected \(what)") }
        position += 1
    }

    /// The whole header: a dict of string keys, then only whitespace.
    mutating func parseDict() throws -> [(key: String, value: NumpyHeaderValue)] {
        try expect(UInt8(ascii: "{"), "'{'")
        var items: [(key: String, value: NumpyHeaderValue)] = []
        while true {
            skipSpace()
            if current == UInt8(ascii: "}") { position += 1; break }
            guard current == UInt8(ascii: "'") || current == UInt8(ascii: "\"") else {
                throw fail("expected a quoted key or '}'")
            }
            let key = try parseString()
            guard !items.contains(where: { $0.key == key }) else { throw fail("key '\(key)' appears twice") }
            try expect(UInt8(ascii: ":"), "':' after key '\(key)'")
            items.append((key, try parseValue()))
            skipSpace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            if current == UInt8(ascii: "}") { position += 1; break }
            throw fail("expected ',' or '}'")
        }
        skipSpace()
        guard position == text.count else { throw fail("unexpected text after the dict") }
        return items
    }

    private mutating func parseValue() throws -> NumpyHeaderValue {
        skipSpace()
        switch current {
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "("):
            return .tuple(try parseTuple())
        case UInt8(ascii: "["):
            return .list
        case UInt8(ascii: "T"), UInt8(ascii: "F"):
            for (word, value) in [("True", true), ("False", false)] where matches(word) {
                position += word.utf8.count
                return .bool(value)
            }
            throw fail("expected True or False")
        default:
            throw fail("expected a string, True, False or a tuple")
        }
    }

    private func matches(_ word: String) -> Bool {
        let bytes = Array(word.utf8)
        guard text.count - position >= bytes.count,
              text[position..<(position + bytes.count)].elementsEqual(bytes) else { return false }
        // "Truex" is a name, not True.
        let end = position + bytes.count
        guard end < text.count else { return true }
        let next = text[end]
        let letter = (next | 0x20) >= 0x61 && (next | 0x20) <= 0x7A
        return !(letter || next == UInt8(ascii: "_") || (next >= 0x30 && next <= 0x39))
    }

    /// A quoted string of printable ASCII; escapes are refused (numpy never writes them in a header).
    private mutating func parseString() throws -> String {
        guard let quote = current else { throw fail("expected a string") }
        position += 1
        let start = position
        while let c = current, c != quote {
            guard c >= 0x20, c < 0x7F, c != UInt8(ascii: "\\") else {
                throw fail(c == UInt8(ascii: "\\") ? "escape sequences are not supported in header strings"
                    : "byte 0x\(String(c, radix: 16)) inside a string")
            }
            position += 1
        }
        guard current == quote else { throw fail("unterminated string") }
        let value = String(decoding: text[start..<position], as: UTF8.self)
        position += 1
        return value
    }

    /// `()`, `(5,)`, `(3, 4)` or `(3, 4,)`; `(5)` is the integer 5 in Python, not a tuple.
    private mutating func parseTuple() throws -> [Int] {
        position += 1
        var values: [Int] = []
        var sawComma = false
        while true {
            skipSpace()
            if current == UInt8(ascii: ")") {
                position += 1
                guard values.count != 1 || sawComma else { throw fail("(n) is an integer, not a tuple: expected (n,)") }
                return values
            }
            guard values.count < NumpyArray.maxRank else {
                throw fail("more than \(NumpyArray.maxRank) dimensions")
            }
            values.append(try parseDimension())
            skipSpace()
            if current == UInt8(ascii: ",") {
                position += 1
                sawComma = true
            } else if current != UInt8(ascii: ")") {
                throw fail("expected ',' or ')' in the shape")
            }
        }
    }

    /// A non-negative decimal integer as Python writes one: no sign, no leading zeros, no underscores.
    private mutating func parseDimension() throws -> Int {
        if current == UInt8(ascii: "-") { throw fail("negative dimension") }
        let start = position
        var value = 0
        while let c = current, c >= 0x30, c <= 0x39 {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(c - 0x30))
            guard !o1, !o2 else { throw fail("dimension too large") }
            value = sum
            position += 1
        }
        guard position > start else { throw fail("expected a non-negative integer dimension") }
        guard position - start == 1 || text[start] != 0x30 else { throw fail("leading zero in a dimension") }
        if let c = current, c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A) {
            throw fail("expected a plain integer dimension")
        }
        return value
    }
}
