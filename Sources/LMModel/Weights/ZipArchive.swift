import LMInput

/// The entry table of a zip archive: stored (uncompressed) entries, as `torch.save` writes them, and
/// deflated ones (`numpy.savez_compressed`; see `inflated(_:from:)`). Each format reader says which
/// methods it takes (`requireStored` for PyTorch checkpoints).
///
/// Only the central directory is trusted for sizes (torch writes local headers with zero sizes and a
/// trailing data descriptor); each entry's local header is still checked to match. ZIP64 records, which
/// torch and numpy always write, supply the 64-bit sizes and offsets.
// Follows the zip format of PKWARE's APPNOTE.TXT 6.3, sections 4.3 and 4.5.3.

struct ZipArchive {
    struct Entry {
        let name: String
        /// Offset of the entry's first data byte (compressed or not) in the file.
        let dataOffset: Int
        /// The uncompressed size (for a stored entry, also the bytes at `dataOffset`).
        let size: Int
        /// The bytes the entry occupies at `dataOffset`; equal to `size` for a stored entry.
        let compressedSize: Int
        /// 0 = stored, 8 = deflated; other values are only recorded, for the reader to refuse.
        let method: UInt16
        /// The CRC-32 of the uncompressed bytes, as the central directory gives it.
        let crc32: UInt32

        var isStored: Bool { method == 0 }
    }

    let path: String
    let entries: [Entry]
    private let indexByName: [String: Int]

    func entry(_ name: String) -> Entry? {
        indexByName[name].map { entries[$0] }
    }

    /// Refuses an archive with a compressed entry, as `torch.save` never writes one.
    func requireStored() throws {
        if let entry = entries.first(where: { !$0.isStored }) {
            throw InputError.unsupported("\(path): zip entry '\(entry.name)' is compressed (method \(entry.method)); "
                + "only stored entries, as torch.save writes them, are supported: re-save the checkpoint with "
                + "torch.save or convert it to safetensors")
        }
    }

    private static let endOfCentralDirectory: UInt32 = 0x0605_4B50
    private static let zip64EndOfCentralDirectory: UInt32 = 0x0606_4B50
    private static let zip64Locator: UInt32 = 0x0706_4B50
    private static let centralHeader: UInt32 = 0x0201_4B50
    private static let localHeader: UInt32 = 0x0403_4B50

    /// Reads the directory; every entry's method is recorded (`Entry.method`) for the format reader
    /// to accept or refuse (PyTorch checkpoints: stored only, `requireStored`).
    init(file: MappedFile) throws {
        let path = file.path
        self.path = path
        let bytes = file.bytes
        let reader = ByteReader(bytes: bytes, path: file.path, what: "zip archive")

        // The end-of-central-directory record is 22 bytes plus a comment of up to 65535 bytes.
        guard bytes.count >= 22 else {
            throw InputError.format("\(path): truncated zip archive (\(bytes.count) bytes)")
        }
        var eocd = -1
        var candidate = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        while candidate >= lowest {
            if reader.u32(candidate) == ZipArchive.endOfCentralDirectory,
               candidate + 22 + Int(reader.u16(candidate + 20) ?? 0) == bytes.count {
                eocd = candidate
                break
            }
            candidate -= 1
        }
        guard eocd >= 0 else {
            throw InputError.format("\(path): zip end-of-central-directory record not found: "
                + "the archive is truncated or not a zip file")
        }
        guard let diskNumber = reader.u16(eocd + 4), let directoryDisk = reader.u16(eocd + 6),
              let count16 = reader.u16(eocd + 10), let size32 = reader.u32(eocd + 12),
              let offset32 = reader.u32(eocd + 16) else {
            throw InputError.format("\(path): truncated zip end-of-central-directory record")
        }
        var entryCount = Int(count16)
        var directorySize = Int(size32)
        var directoryOffset = Int(offset32)
        var directoryLimit = eocd
        if diskNumber != 0 || directoryDisk != 0 {
            throw InputError.unsupported("\(path): multi-part zip archives are not supported")
        }

        if eocd >= 20, reader.u32(eocd - 20) == ZipArchive.zip64Locator {
            guard let recordOffset = reader.u64AsInt(eocd - 20 + 8),
                  reader.u32(recordOffset) == ZipArchive.zip64EndOfCentralDirectory,
                  recordOffset + 56 <= eocd - 20,
                  let count64 = reader.u64AsInt(recordOffset + 32),
                  let size64 = reader.u64AsInt(recordOffset + 40),
                  let offset64 = reader.u64AsInt(recordOffset + 48) else {
                throw InputError.format("\(path): bad ZIP64 end-of-central-directory record")
            }
            entryCount = count64
            directorySize = size64
            directoryOffset = offset64
            directoryLimit = recordOffset
        }
        let (directoryEnd, overflow) = directoryOffset.addingReportingOverflow(directorySize)
        guard !overflow, directoryEnd <= directoryLimit else {
            throw InputError.format("\(path): bad zip central directory: offset \(directoryOffset) + size "
                + "\(directorySize) runs past its end record")
        }

        var entries: [Entry] = []
        var indexByName: [String: Int] = [:]
        var position = directoryOffset
        for number in 0..<entryCount {
            guard reader.u32(position) == ZipArchive.centralHeader, position + 46 <= directoryEnd,
                  let flags = reader.u16(position + 8), let method = reader.u16(position + 10),
                  let crc = reader.u32(position + 16), let compressed32 = reader.u32(position + 20),
                  let uncompressed32 = reader.u32(position + 24),
                  let nameLength = reader.u16(position + 28), let extraLength = reader.u16(position + 30),
                  let commentLength = reader.u16(position + 32), let local32 = reader.u32(position + 42) else {
                throw InputError.format("\(path): bad zip central directory: entry \(number) of \(entryCount) "
                    + "is damaged or missing")
            }
            let nameStart = position + 46
            let extraStart = nameStart + Int(nameLength)
            let next = extraStart + Int(extraLength) + Int(commentLength)
            guard next <= directoryEnd else {
                throw InputError.format("\(path): bad zip central directory: entry \(number) runs past its end")
            }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<extraStart]), as: UTF8.self)
            var compressed = Int(compressed32)
            var uncompressed = Int(uncompressed32)
            var localOffset = Int(local32)
            // ZIP64 extended information: 64-bit values for the fields saturated at 0xFFFFFFFF, in order.
            var extra = extraStart
            let extraEnd = extraStart + Int(extraLength)
            while extra + 4 <= extraEnd, let id = reader.u16(extra), let length = reader.u16(extra + 2) {
                let dataStart = extra + 4
                guard dataStart + Int(length) <= extraEnd else { break }
                if id == 0x0001 {
                    var field = dataStart
                    func next64() throws -> Int {
                        guard field + 8 <= dataStart + Int(length), let v = reader.u64AsInt(field) else {
                            throw InputError.format("\(path): zip entry '\(name)': bad ZIP64 extra field")
                        }
                        field += 8
                        return v
                    }
                    if uncompressed32 == 0xFFFF_FFFF { uncompressed = try next64() }
                    if compressed32 == 0xFFFF_FFFF { compressed = try next64() }
                    if local32 == 0xFFFF_FFFF { localOffset = try next64() }
                }
                extra = dataStart + Int(length)
            }
            if flags & 1 != 0 {
                throw InputError.unsupported("\(path): zip entry '\(name)' is encrypted")
            }
            guard method != 0 || compressed == uncompressed else {
                throw InputError.format("\(path): zip entry '\(name)' is stored but its sizes differ "
                    + "(\(compressed) vs \(uncompressed))")
            }
            // The local header repeats the name; its extra field (torch's alignment padding) may differ.
            guard reader.u32(localOffset) == ZipArchive.localHeader,
                  let localNameLength = reader.u16(localOffset + 26),
                  let localExtraLength = reader.u16(localOffset + 28),
                  localNameLength == nameLength,
                  localOffset + 30 + Int(nameLength) <= directoryOffset,
                  bytes[(localOffset + 30)..<(localOffset + 30 + Int(nameLength))].elementsEqual(bytes[nameStart..<extraStart])
            else {
                throw InputError.format("\(path): zip entry '\(name)': local header at \(localOffset) is missing "
                    + "or does not match the central directory")
            }
            let dataOffset = localOffset + 30 + Int(nameLength) + Int(localExtraLength)
            let (dataEnd, sizeOverflow) = dataOffset.addingReportingOverflow(compressed)
            guard !sizeOverflow, dataEnd <= directoryOffset else {
                throw InputError.format("\(path): zip entry '\(name)': \(compressed) bytes at offset \(dataOffset) "
                    + "run past the entry area (truncated or corrupt archive)")
            }
            guard indexByName[name] == nil else {
                throw InputError.format("\(path): zip entry '\(name)' appears twice")
            }
            indexByName[name] = entries.count
            entries.append(Entry(name: name, dataOffset: dataOffset, size: uncompressed, compressedSize: compressed,
                                 method: method, crc32: crc))
            position = next
        }
        self.entries = entries
        self.indexByName = indexByName
    }
}

extension ZipArchive {
    /// The most a deflate stream can expand: one 1-bit length code and one 1-bit distance code give 258
    /// bytes for 2 bits, so 1032 bytes per input byte. A declared size beyond it is a lie, and is refused
    /// before anything is allocated for it.
    static let maxDeflateRatio = 1032

    /// The uncompressed bytes of a deflated `entry`, inflated into memory that the returned file owns
    /// (named after the archive, so tensors read from it name the archive in errors), with the size and
    /// CRC-32 checked against the central directory.
    func inflated(_ entry: Entry, from file: MappedFile) throws -> MappedFile {
        let what = "\(path): zip entry '\(entry.name)'"
        guard entry.method == 8 else {
            throw InputError.unsupported("\(what) is compressed with method \(entry.method); only stored (0) and "
                + "deflated (8) entries can be read")
        }
        // Division, not multiplication: no overflow whatever the directory says.
        guard entry.size / ZipArchive.maxDeflateRatio <= entry.compressedSize else {
            throw InputError.format("\(what): declares \(entry.size) uncompressed bytes, more than "
                + "\(entry.compressedSize) deflated bytes can hold (corrupt directory)")
        }
        let input = file.slice(entry.dataOffset..<(entry.dataOffset + entry.compressedSize))
        let output = try MappedFile(path: path, inMemoryCount: entry.size) { buffer in
            try Inflate.inflate(input, into: buffer, what: what)
            let crc = ZipArchive.crc32(UnsafeRawBufferPointer(buffer))
            guard crc == entry.crc32 else {
                throw InputError.format("\(what): CRC-32 of the inflated bytes is \(ZipArchive.hex(crc)), the zip "
                    + "directory says \(ZipArchive.hex(entry.crc32)) (corrupt archive)")
            }
        }
        return output
    }

    private static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// CRC-32 (the reflected polynomial 0xEDB88320 of zip, zlib and PNG), table-driven four bytes a step.
    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let t = crcTables
        var crc: UInt32 = 0xFFFF_FFFF
        var i = 0
        let n = bytes.count
        while i + 4 <= n {
            crc ^= bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian
            crc = t[3 * 256 + Int(crc & 0xFF)] ^ t[2 * 256 + Int((crc >> 8) & 0xFF)]
                ^ t[256 + Int((crc >> 16) & 0xFF)] ^ t[Int(crc >> 24)]
            i += 4
        }
        while i < n {
            crc = t[Int((crc ^ UInt32(bytes[i])) & 0xFF)] ^ (crc >> 8)
            i += 1
        }
        return ~crc
    }

    /// Slicing-by-4 tables: table k gives the CRC of a byte followed by k zero bytes.
    private static let crcTables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 4 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[n] = c
        }
        for k in 1..<4 {
            for n in 0..<256 {
                let prev = t[(k - 1) * 256 + n]
                t[k * 256 + n] = t[Int(prev & 0xFF)] ^ (prev >> 8)
            }
        }
        return t
    }()
}

/// Bounds-checked little-endian reads from a byte buffer: every read returns nil past the end.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    let path: String
    let what: String

    func u16(_ offset: Int) -> UInt16? {
        guard offset >= 0, offset <= bytes.count - 2 else { return nil }
        return bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self).littleEndian
    }

    func u32(_ offset: Int) -> UInt32? {
        guard offset >= 0, offset <= bytes.count - 4 else { return nil }
        return bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian
    }

    func u64(_ offset: Int) -> UInt64? {
        guard offset >= 0, offset <= bytes.count - 8 else { return nil }
        return bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian
    }

    /// A 64-bit value that must fit a non-negative Int (sizes and offsets).
    func u64AsInt(_ offset: Int) -> Int? {
        guard let v = u64(offset), v <= UInt64(Int.max) else { return nil }
        return Int(v)
    }
}
