import LMInput

/// One opened checkpoint file of any supported format, as validated tensors.

struct CheckpointFile {
    let tensors: [StoredTensor]
    let metadata: [String: String]

    /// Opens `path` by content: a zip archive of `.npy` entries is a numpy `.npz`, any other zip archive or
    /// a pickle stream is a PyTorch checkpoint, anything else must be safetensors. The extension only
    /// decides which error to report for unknown content (and that an empty zip named `.npz` is numpy's).
    static func open(path: String) throws -> CheckpointFile {
        let file = try MappedFile(path: path)
        let bytes = file.bytes
        let isZip = bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04
        // `numpy.savez()` of no arrays writes a zip of only its end record; only an .npz is taken as one.
        let isEmptyNpz = path.hasSuffix(".npz") && bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B
            && bytes[2] == 0x05 && bytes[3] == 0x06
        let isPickle = bytes.count >= 2 && bytes[0] == 0x80 && bytes[1] >= 2 && bytes[1] <= 5
        let isTar = bytes.count >= 262 && Array(bytes[257..<262]) == Array("ustar".utf8)
        let isTorchName = [".bin", ".pt", ".pth", ".ckpt"].contains { path.hasSuffix($0) }
        if isZip || isEmptyNpz {
            // The directory is read once; its entries tell the formats apart.
            let archive = try ZipArchive(file: file)
            if NumpyArchive.holdsArrays(archive, path: path) {
                return CheckpointFile(tensors: try NumpyArchive.read(file, archive: archive), metadata: [:])
            }
            return CheckpointFile(tensors: try TorchZipCheckpoint.read(file, archive: archive), metadata: [:])
        }
        if isPickle {
            return CheckpointFile(tensors: try TorchLegacyCheckpoint.read(file), metadata: [:])
        }
        if isTar {
            throw InputError.unsupported("\(path): a tar-format PyTorch checkpoint (saved by PyTorch before 0.4); "
                + "re-save it with a recent torch.save, or convert it to safetensors")
        }
        if isTorchName && !path.hasSuffix(".safetensors") {
            throw InputError.format("\(path): not a PyTorch checkpoint (neither a zip archive nor a pickle)")
        }
        let safetensors = try SafetensorsFile(file: file)
        return CheckpointFile(tensors: safetensors.tensors, metadata: safetensors.metadata)
    }
}
