import LMInput

/// A checkpoint in `torch.save`'s zip format (the default since PyTorch 1.6): a zip archive with one top
/// folder holding `data.pkl` (the pickled state dict, storages replaced by persistent ids) and
/// `data/<key>` (each storage's raw little-endian bytes, stored uncompressed and 64-byte aligned).
// Follows torch/serialization.py `_save` / `_load` (torch 2.13).

enum TorchZipCheckpoint {
    static func read(_ file: MappedFile, archive: ZipArchive) throws -> [StoredTensor] {
        let path = file.path
        try archive.requireStored()
        let pickles = archive.entries.filter { entry in
            entry.name.hasSuffix("/data.pkl") && !entry.name.dropLast("/data.pkl".count).contains("/")
        }
        guard pickles.count == 1, let pickle = pickles.first else {
            throw InputError.format("\(path): a zip archive but not a PyTorch checkpoint: "
                + (pickles.isEmpty ? "no <name>/data.pkl entry" : "several data.pkl entries"))
        }
        let prefix = String(pickle.name.dropLast("data.pkl".count))
        if let order = archive.entry(prefix + "byteorder") {
            let text = String(decoding: file.slice(order.dataOffset..<(order.dataOffset + order.size)), as: UTF8.self)
            guard text == "little" else {
                throw InputError.unsupported("\(path): saved with byte order '\(text)'; only little-endian "
                    + "checkpoints are supported")
            }
        }
        var unpickler = TorchUnpickler(
            bytes: file.slice(pickle.dataOffset..<(pickle.dataOffset + pickle.size)),
            path: path, source: "\(path): \(pickle.name)")
        let root = try unpickler.load()
        return try TorchCheckpoint.stateDictTensors(root, path: path).map { name, tensor in
            let entryName = prefix + "data/" + tensor.storage.key
            guard let entry = archive.entry(entryName) else {
                throw InputError.format("\(path): tensor '\(name)': its storage '\(entryName)' is missing from the archive")
            }
            return try TorchCheckpoint.storedTensor(name: name, tensor: tensor, file: file,
                                                    storageStart: entry.dataOffset, storageBytes: entry.size)
        }
    }
}
