import LMInput

/// One safetensors file, memory-mapped, with its header parsed and validated.
///
/// Layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON mapping each tensor name to
/// `{"dtype", "shape", "data_offsets": [begin, end]}` (plus an optional `"__metadata__"` string map),
/// then the data buffer. Offsets are relative to the data buffer.
// Follows the checks of safetensors' `SafeTensors::read_metadata` and `Metadata::validate`
// (huggingface/safetensors 0.8), plus the duplicate-name check serde does not make.

struct SafetensorsFile: Sendable {
    /// The header size cap of the reference implementation.
    static let maxHeaderSize = 100_000_000

    let file: MappedFile
    /// The `__metadata__` map (e.g. ["format": "pt"]), empty when absent.
    let metadata: [String: String]
    /// The tensors in data-offset order.
    let tensors: [StoredTensor]

    init(path: String) throws {
        try self.init(file: MappedFile(path: path))
    }

    init(file: MappedFile) throws {
        self.file = file
        let path = file.path
        let bytes = file.bytes
        guard bytes.count >= 8 else {
            throw InputError.format("\(path): not a safetensors file: \(bytes.count) bytes, "
                + "too small for the 8-byte header length")
        }
        let declared = bytes.loadUnaligned(as: UInt64.self).littleEndian
        guard declared <= UInt64(SafetensorsFile.maxHeaderSize) else {
            throw InputError.format("\(path): header length \(declared) exceeds the "
                + "\(SafetensorsFile.maxHeaderSize)-byte limit (not a safetensors file, or corrupt)")
        }
        let headerSize = Int(declared)
        let dataStart = 8 + headerSize
        guard dataStart <= bytes.count else {
            throw InputError.format("\(path): header length \(headerSize) goes past the end of the file "
                + "(\(bytes.count) bytes): truncated or corrupt")
        }
        let header: JSONValue
        do {
            header = try JSONReader.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart]), options: .uniqueKeys)
        } catch {
            throw InputError.format("\(path): header is not valid JSON: \(error.message) "
                + "at header byte \(error.offset)")
        }
        guard case .object(let members) = header else {
            throw InputError.format("\(path): header is \(header.kind), expected a JSON object")
        }

        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
        entries.reserveCapacity(members.count)
        for (name, value) in members {
            if name == "__metadata__" {
                metadata = try SafetensorsFile.parseMetadata(value, path: path)
                continue
            }
            let (dtype, shape, begin, end) = try SafetensorsFile.parseTensorEntry(value, name: name, path: path)
            entries.append((name, dtype, shape, begin, end))
        }
        // The reference sorts by offsets before checking contiguity; names break ties deterministically.
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }

        let dataSize = bytes.count - dataStart
        var expectedBegin = 0
        var tensors: [StoredTensor] = []
        tensors.reserveCapacity(entries.count)
        for e in entries {
            let tensorText = "\(path): tensor '\(e.name)'"
            guard e.begin == expectedBegin else {
                let problem = e.begin < expectedBegin ? "overlaps the previous tensor" : "leaves a hole after the previous tensor"
                throw InputError.format("\(tensorText): data_offsets [\(e.begin), \(e.end)] \(problem) "
                    + "(expected to begin at \(expectedBegin))")
            }
            guard e.end >= e.begin else {
                throw InputError.format("\(tensorText): data_offsets [\(e.begin), \(e.end)] end before they begin")
            }
            guard let count = SafetensorsFile.checkedProduct(e.shape),
                  case let (bits, overflow) = count.multipliedReportingOverflow(by: e.dtype.bitSize), !overflow else {
                throw InputError.format("\(tensorText): shape \(e.shape) of \(e.dtype.rawValue) overflows "
                    + "the addressable size")
            }
            guard bits % 8 == 0 else {
                throw InputError.format("\(tensorText): \(count) elements of \(e.dtype.rawValue) do not fill whole bytes")
            }
            guard e.end - e.begin == bits / 8 else {
                throw InputError.format("\(tensorText): data_offsets [\(e.begin), \(e.end)] span "
                    + "\(e.end - e.begin) bytes but shape \(e.shape) of \(e.dtype.rawValue) needs \(bits / 8)")
            }
            guard e.end <= dataSize else {
                throw InputError.format("\(tensorText): data_offsets [\(e.begin), \(e.end)] go past the end of "
                    + "the data (\(dataSize) bytes): file truncated?")
            }
            expectedBegin = e.end
            tensors.append(StoredTensor(
                info: TensorInfo(name: e.name, dtype: e.dtype, shape: e.shape, file: path),
                file: file, byteOffset: dataStart + e.begin, strides: nil))
        }
        guard expectedBegin == dataSize else {
            throw InputError.format("\(path): tensors cover \(expectedBegin) bytes of data but the file holds "
                + "\(dataSize): trailing bytes after the last tensor")
        }
        self.metadata = metadata
        self.tensors = tensors
    }

    /// The product of `shape`, or nil on overflow.
    static func checkedProduct(_ shape: [Int]) -> Int? {
        var product = 1
        for d in shape {
            let (p, overflow) = product.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            product = p
        }
        return product
    }

    private static func parseMetadata(_ value: JSONValue, path: String) throws -> [String: String] {
        switch value {
        case .null:
            return [:]
        case .object(let members):
            var result: [String: String] = [:]
            for (key, item) in members {
                guard case .string(let text) = item else {
                    throw InputError.format("\(path): __metadata__ '\(key)' is \(item.kind), expected a string")
                }
                result[key] = text
            }
            return result
        default:
            throw InputError.format("\(path): __metadata__ is \(value.kind), expected an object of strings")
        }
    }

    private static func parseTensorEntry(_ value: JSONValue, name: String, path: String) throws
        -> (DType, [Int], Int, Int)
    {
        let tensorText = "\(path): tensor '\(name)'"
        guard case .object = value else {
            throw InputError.format("\(tensorText): header entry is \(value.kind), expected an object")
        }
        guard let dtypeValue = value["dtype"] else {
            throw InputError.format("\(tensorText): header entry has no 'dtype'")
        }
        guard case .string(let dtypeName) = dtypeValue else {
            throw InputError.format("\(tensorText): 'dtype' is \(dtypeValue.kind), expected a string")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw InputError.format("\(tensorText): unknown dtype '\(dtypeName)'")
        }
        guard let shapeValue = value["shape"] else {
            throw InputError.format("\(tensorText): header entry has no 'shape'")
        }
        guard case .array(let dims) = shapeValue else {
            throw InputError.format("\(tensorText): 'shape' is \(shapeValue.kind), expected an array")
        }
        var shape: [Int] = []
        shape.reserveCapacity(dims.count)
        for dim in dims {
            guard let d = dim.nonNegativeInt else {
                throw InputError.format("\(tensorText): 'shape' holds \(SafetensorsFile.describe(dim)), "
                    + "expected non-negative integers")
            }
            shape.append(d)
        }
        guard let offsetsValue = value["data_offsets"] else {
            throw InputError.format("\(tensorText): header entry has no 'data_offsets'")
        }
        guard case .array(let offsets) = offsetsValue, offsets.count == 2,
              let begin = offsets[0].nonNegativeInt, let end = offsets[1].nonNegativeInt else {
            throw InputError.format("\(tensorText): 'data_offsets' must be two non-negative integers "
                + "[begin, end]")
        }
        return (dtype, shape, begin, end)
    }

    private static func describe(_ value: JSONValue) -> String {
        if case .number(let n) = value { return n.text }
        return value.kind
    }
}
