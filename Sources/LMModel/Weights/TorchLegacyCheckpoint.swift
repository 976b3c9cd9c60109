import LMInput

/// A checkpoint in PyTorch's legacy (pre-1.6, `_use_new_zipfile_serialization=False`) format: five
/// pickles back to back — magic number, protocol version 1001, system info, the state dict, the sorted
/// list of storage keys — then, per key in that order, an int64 element count and the storage's raw bytes.
/// Many checkpoints on the Hugging Face Hub from 2019–2020 (including early OPUS-MT ones) use it.
// Follows torch/serialization.py `_legacy_save` and `_legacy_load` (torch 2.13).

enum TorchLegacyCheckpoint {
    /// 0x1950a86a20f9469cfc6c as the little-endian bytes of pickle's LONG1.
    static let magic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    static let protocolVersion = 1001

    static func read(_ file: MappedFile) throws -> [StoredTensor] {
        let path = file.path
        var unpickler = TorchUnpickler(bytes: file.bytes, path: path, source: "\(path) (legacy format)")
        guard case .bigInt(let magic) = try unpickler.load(), magic == TorchLegacyCheckpoint.magic else {
            throw InputError.format("\(path): a pickle but not a PyTorch checkpoint (magic number missing)")
        }
        guard case .int(let version) = try unpickler.load(), version == TorchLegacyCheckpoint.protocolVersion else {
            throw InputError.unsupported("\(path): unknown legacy PyTorch protocol version")
        }
        let systemInfo = try unpickler.load()
        guard case .dict(let info) = systemInfo else {
            throw InputError.format("\(path): legacy system info is \(systemInfo.kind), expected a dict")
        }
        for (key, value) in info.items {
            if case .string("little_endian") = key, case .bool(let little) = value, !little {
                throw InputError.unsupported("\(path): saved on a big-endian machine; only little-endian "
                    + "checkpoints are supported")
            }
        }
        let tensors = try TorchCheckpoint.stateDictTensors(try unpickler.load(), path: path)
        let keyList = try unpickler.load()
        guard case .list(let keys) = keyList else {
            throw InputError.format("\(path): legacy storage key list is \(keyList.kind), expected a list")
        }

        // The data records carry no type of their own: element sizes come from the pickle's storage ids.
        let storages = unpickler.storages

        let reader = ByteReader(bytes: file.bytes, path: path, what: "legacy checkpoint")
        var position = unpickler.position
        var located: [String: (start: Int, bytes: Int)] = [:]
        for item in keys.items {
            guard case .string(let key) = item else {
                throw InputError.format("\(path): legacy storage key is \(item.kind), expected a string")
            }
            guard let storage = storages[key] else {
                throw InputError.format("\(path): storage '\(key)' is listed but the pickle never names it, so "
                    + "its element size is unknown")
            }
            guard let count64 = reader.u64(position), count64 <= UInt64(Int.max) else {
                throw InputError.format("\(path): storage '\(key)': record header missing at byte \(position) "
                    + "(file truncated?)")
            }
            let elementSize = storage.dtype.byteSize ?? 1
            let (byteCount, overflow) = Int(count64).multipliedReportingOverflow(by: elementSize)
            let start = position + 8
            guard !overflow, byteCount <= file.count - start else {
                throw InputError.format("\(path): storage '\(key)': \(count64) elements at byte \(start) run past "
                    + "the end of the file (\(file.count) bytes): truncated?")
            }
            located[key] = (start, byteCount)
            position = start + byteCount
        }
        return try tensors.map { name, tensor in
            guard let place = located[tensor.storage.key] else {
                throw InputError.format("\(path): tensor '\(name)': its storage '\(tensor.storage.key)' is not "
                    + "in the file's storage list")
            }
            return try TorchCheckpoint.storedTensor(name: name, tensor: tensor, file: file,
                                                    storageStart: place.start, storageBytes: place.bytes)
        }
    }
}
