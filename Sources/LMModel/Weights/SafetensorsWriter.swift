import LMTensor
import LMInput

/// Writes safetensors files the reference `safetensors` library reads back bit for bit.
///
/// The file is written to a temporary sibling and renamed into place, so a process that has the old file
/// mapped keeps valid memory. Layout as the reference `serialize_to_file` makes it: tensors ordered by
/// dtype (widest first) then name, the JSON header padded with spaces to a multiple of 8 bytes.
// Follows `prepare` / `serialize_to_file` of the safetensors crate (huggingface/safetensors 0.8).
package enum SafetensorsWriter {
    /// One tensor to write, in any dtype: its bytes are produced when written, so a converter holds at
    /// most one tensor in memory.
    struct Entry {
        let name: String
        let dtype: DType
        let shape: [Int]
        let byteCount: Int
        /// Writes the tensor's `byteCount` bytes, row-major, little-endian.
        let write: (FileWriter) throws -> Void
    }

    /// Writes float32 tensors as `dtype` (`.f32`, or `.f16` rounded to nearest even, as `torch.half()`).
    /// - Throws: `InputError.invalidArgument` for a duplicate or reserved name, a tensor whose storage does
    ///   not match its shape, or another dtype; `InputError.io` when the file cannot be written.
    package static func write(tensors: [(String, Tensor)], metadata: [String: String]? = nil,
                             dtype: DType = .f32, to path: String) throws {
        guard dtype == .f32 || dtype == .f16 else {
            throw InputError.invalidArgument("SafetensorsWriter: cannot write float tensors as \(dtype.rawValue) "
                + "(F32 or F16 only)")
        }
        let entries = try tensors.map { name, tensor in
            guard tensor.storage.count == SafetensorsFile.checkedProduct(tensor.shape),
                  tensor.shape.allSatisfy({ $0 >= 0 }) else {
                throw InputError.invalidArgument("SafetensorsWriter: tensor '\(name)' has \(tensor.storage.count) "
                    + "values but shape \(tensor.shape)")
            }
            return floatEntry(name: name, tensor: tensor, dtype: dtype)
        }
        try write(entries: entries, metadata: metadata, to: path)
    }

    /// Writes float32 tensors by name (written in the reference order, so the argument order is immaterial).
    package static func write(tensors: [String: Tensor], metadata: [String: String]? = nil,
                             dtype: DType = .f32, to path: String) throws {
        try write(tensors: tensors.map { ($0.key, $0.value) }, metadata: metadata, dtype: dtype, to: path)
    }

    static func floatEntry(name: String, tensor: Tensor, dtype: DType) -> Entry {
        let count = tensor.storage.count
        let size = dtype == .f16 ? 2 : 4
        return Entry(name: name, dtype: dtype, shape: tensor.shape, byteCount: count * size) { writer in
            try tensor.storage.withUnsafeBufferPointer { values in
                guard let src = values.baseAddress, count > 0 else { return }
                if dtype == .f32 {
                    try writer.write(UnsafeRawBufferPointer(values))
                    return
                }
                // Convert in chunks so a large tensor needs little extra memory.
                let chunk = 1 << 20
                var half = [UInt8](repeating: 0, count: min(count, chunk) * 2)
                var start = 0
                while start < count {
                    let n = min(chunk, count - start)
                    try half.withUnsafeMutableBytes { dst in
                        if let out = dst.baseAddress {
                            FloatDecoding.convertToF16(from: src + start, to: out, count: n)
                        }
                        try writer.write(UnsafeRawBufferPointer(rebasing: dst[0..<(n * 2)]))
                    }
                    start += n
                }
            }
        }
    }

    static func write(entries: [Entry], metadata: [String: String]?, to path: String) throws {
        var seen = Set<String>()
        for e in entries {
            guard e.name != "__metadata__" else {
                throw InputError.invalidArgument("SafetensorsWriter: '__metadata__' is reserved and cannot name a tensor")
            }
            guard seen.insert(e.name).inserted else {
                throw InputError.invalidArgument("SafetensorsWriter: tensor '\(e.name)' given twice")
            }
        }
        let rank = Dictionary(uniqueKeysWithValues: DType.allCases.enumerated().map { ($1, $0) })
        let ordered = entries.sorted { a, b in
            let ra = rank[a.dtype] ?? 0, rb = rank[b.dtype] ?? 0
            return ra != rb ? ra > rb : a.name < b.name
        }

        var header = "{"
        var first = true
        if let metadata, !metadata.isEmpty {
            header += "\"__metadata__\":{"
            header += metadata.sorted(by: { $0.key < $1.key })
                .map { "\(jsonString($0.key)):\(jsonString($0.value))" }.joined(separator: ",")
            header += "}"
            first = false
        }
        var offset = 0
        for e in ordered {
            if !first { header += "," }
            first = false
            let shape = e.shape.map(String.init).joined(separator: ",")
            header += "\(jsonString(e.name)):{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":[\(shape)],"
                + "\"data_offsets\":[\(offset),\(offset + e.byteCount)]}"
            offset += e.byteCount
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        guard headerBytes.count <= SafetensorsFile.maxHeaderSize else {
            throw InputError.invalidArgument("SafetensorsWriter: header of \(headerBytes.count) bytes exceeds the "
                + "format's \(SafetensorsFile.maxHeaderSize)-byte limit")
        }

        let writer = try FileWriter(path: path)
        var length = UInt64(headerBytes.count).littleEndian
        try withUnsafeBytes(of: &length) { try writer.write($0) }
        try writer.write(headerBytes)
        for e in ordered { try e.write(writer) }
        try writer.commit()
    }

    /// A JSON string literal, escaped as serde_json escapes.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
