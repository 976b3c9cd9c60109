import Foundation
import LMModel
import LMInput

/// Writes zip archives with stored entries, for tests that need archives torch would not write.
enum ZipBuilder {
    /// A zip of `entries` (name, bytes), stored; with `zip64`, sizes and offsets go in ZIP64 extra fields
    /// and a ZIP64 end record, as large torch checkpoints have them.
    static func make(_ entries: [(String, [UInt8])], zip64: Bool = false, flags: UInt16 = 0,
                     method: UInt16 = 0) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (name, data) in entries {
            let offset = out.count
            let nameBytes = Array(name.utf8)
            out += u32(0x0403_4B50) + u16(20) + u16(flags) + u16(method) + u16(0) + u16(0) + u32(0)
            out += u32(UInt32(data.count)) + u32(UInt32(data.count)) + u16(UInt16(nameBytes.count)) + u16(0)
            out += nameBytes + data
            var extra: [UInt8] = []
            if zip64 {
                extra = u16(1) + u16(24) + u64(UInt64(data.count)) + u64(UInt64(data.count)) + u64(UInt64(offset))
            }
            let size32: UInt32 = zip64 ? 0xFFFF_FFFF : UInt32(data.count)
            let offset32: UInt32 = zip64 ? 0xFFFF_FFFF : UInt32(offset)
            central += u32(0x0201_4B50) + u16(45) + u16(45) + u16(flags) + u16(method) + u16(0) + u16(0) + u32(0)
            central += u32(size32) + u32(size32) + u16(UInt16(nameBytes.count)) + u16(UInt16(extra.count)) + u16(0)
            central += u16(0) + u16(0) + u32(0) + u32(offset32) + nameBytes + extra
        }
        let directoryOffset = out.count
        out += central
        if zip64 {
            let recordOffset = out.count
            out += u32(0x0606_4B50) + u64(44) + u16(45) + u16(45) + u32(0) + u32(0)
            out += u64(UInt64(entries.count)) + u64(UInt64(entries.count)) + u64(UInt64(central.count))
            out += u64(UInt64(directoryOffset))
            out += u32(0x0706_4B50) + u32(0) + u64(UInt64(recordOffset)) + u32(1)
            out += u32(0x0605_4B50) + u16(0) + u16(0) + u16(0xFFFF) + u16(0xFFFF) + u32(0xFFFF_FFFF)
            out += u32(0xFFFF_FFFF) + u16(0)
        } else {
            out += u32(0x0605_4B50) + u16(0) + u16(0) + u16(UInt16(entries.count)) + u16(UInt16(entries.count))
            out += u32(UInt32(central.count)) + u32(UInt32(directoryOffset)) + u16(0)
        }
        return out
    }

    static func u16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func u64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
}

/// The entries of a stored zip (as torch writes it), read with a test-side parser of the central
/// directory, independent of the library's reader.
func zipEntries(of bytes: [UInt8]) throws -> [(String, [UInt8])] {
    func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
    func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
    guard let eocd = stride(from: bytes.count - 22, through: 0, by: -1).first(where: { u32($0) == 0x0605_4B50 }) else {
        throw InputError.format("test: no end record")
    }
    var position = u32(eocd + 16)
    var entries: [(String, [UInt8])] = []
    for _ in 0..<u16(eocd + 10) {
        let size = u32(position + 24)
        let nameLength = u16(position + 28)
        let name = String(decoding: bytes[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self)
        let local = u32(position + 42)
        let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
        entries.append((name, Array(bytes[dataStart..<(dataStart + size)])))
        position += 46 + nameLength + u16(position + 30) + u16(position + 32)
    }
    return entries
}

/// Writes pickle opcodes by hand, for checkpoints torch would never write.
struct PickleBuilder {
    var bytes: [UInt8] = [0x80, 0x02]

    mutating func op(_ code: UInt8) { bytes.append(code) }
    mutating func global(_ module: String, _ name: String) {
        bytes.append(0x63)
        bytes += Array("\(module)\n\(name)\n".utf8)
    }
    mutating func string(_ s: String) {
        let u = Array(s.utf8)
        bytes.append(0x58)
        bytes += ZipBuilder.u32(UInt32(u.count)) + u
    }
    mutating func int(_ v: Int) {
        if v >= 0 && v < 256 {
            bytes += [0x4B, UInt8(v)]
        } else {
            bytes.append(0x4A)
            bytes += ZipBuilder.u32(UInt32(truncatingIfNeeded: v))
        }
    }
    mutating func mark() { op(0x28) }
    mutating func tuple() { op(0x74) }
    mutating func emptyTuple() { op(0x29) }
    mutating func reduce() { op(0x52) }
    mutating func stop() { op(0x2E) }
    mutating func setItems() { op(0x75) }
    mutating func persistentID() { op(0x51) }

    /// `collections.OrderedDict()` then MARK, ready for key/value pairs and `endDict()`.
    mutating func beginDict() {
        global("collections", "OrderedDict")
        emptyTuple()
        reduce()
        mark()
    }
    mutating func endDict() { setItems() }

    /// `('storage', torch.<type>, key, 'cpu', count)` loaded as a persistent id.
    mutating func storage(_ type: String = "FloatStorage", key: String, count: Int) {
        mark()
        string("storage")
        global("torch", type)
        string(key)
        string("cpu")
        int(count)
        tuple()
        persistentID()
    }

    /// `_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())`.
    mutating func tensor(storageKey: String, storageCount: Int, offset: Int, size: [Int], stride: [Int],
                         type: String = "FloatStorage") {
        global("torch._utils", "_rebuild_tensor_v2")
        mark()
        storage(type, key: storageKey, count: storageCount)
        int(offset)
        mark(); size.forEach { int($0) }; tuple()
        mark(); stride.forEach { int($0) }; tuple()
        op(0x89)
        global("collections", "OrderedDict")
        emptyTuple()
        reduce()
        tuple()
        reduce()
    }

    /// A state dict `{name: tensor}` over one storage of `storageCount` floats.
    static func stateDict(_ tensors: [(name: String, offset: Int, size: [Int], stride: [Int])],
                          storageCount: Int) -> [UInt8] {
        var p = PickleBuilder()
        p.beginDict()
        for t in tensors {
            p.string(t.name)
            p.tensor(storageKey: "0", storageCount: storageCount, offset: t.offset, size: t.size, stride: t.stride)
        }
        p.endDict()
        p.stop()
        return p.bytes
    }
}

/// A torch-layout zip: `archive/data.pkl` plus `archive/data/<key>` storages.
func torchZip(pickle: [UInt8], storages: [String: [UInt8]], extra: [(String, [UInt8])] = []) -> [UInt8] {
    var entries: [(String, [UInt8])] = [("archive/data.pkl", pickle)]
    for key in storages.keys.sorted() { entries.append(("archive/data/\(key)", storages[key] ?? [])) }
    return ZipBuilder.make(entries + extra)
}

/// A legacy-format checkpoint (`_use_new_zipfile_serialization=False`) of one float tensor "w" over
/// storage "0": the five pickles, then the storage record (int64 element count and the data).
func legacyTorchCheckpoint(values: [Float]) -> [UInt8] {
    var out: [UInt8] = [0x80, 2, 0x8A, 10, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]
    var version = PickleBuilder()
    version.int(1001)
    version.stop()
    var info = PickleBuilder()
    info.op(0x7D); info.mark(); info.string("little_endian"); info.op(0x88); info.setItems(); info.stop()
    let state = PickleBuilder.stateDict([("w", 0, [values.count], [1])], storageCount: values.count)
    var keys = PickleBuilder()
    keys.op(0x5D); keys.mark(); keys.string("0"); keys.op(0x65); keys.stop()
    out += version.bytes + info.bytes + state + keys.bytes
    out += ZipBuilder.u64(UInt64(values.count)) + float32Bytes(values)
    return out
}
