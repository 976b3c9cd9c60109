import LMInput

/// A NumPy `.npz` checkpoint: the zip archive `numpy.savez` (entries stored) or `numpy.savez_compressed`
/// (entries deflated) writes, one `<key>.npy` entry per array. Tensors are named by the entry name
/// without ".npy", verbatim: keys such as "encoder.rnn.weight_ih_l0" keep their dots (and any '/').
///
/// A stored entry's elements are read where they lie in the mapped file, as the PyTorch zip reader
/// does; a deflated entry is inflated into memory when the archive is opened (its header, size and
/// CRC-32 checked then), so the store holds the uncompressed arrays for its lifetime. numpy gives stored
/// arrays no alignment inside the zip; the decoders read unaligned.
// Follows numpy/lib/_npyio_impl.py (NumPy 2.x): `_savez` (entry names, methods) and `NpzFile` (keys).
enum NumpyArchive {
    /// True when a zip archive is a numpy archive rather than a PyTorch checkpoint: it has no data.pkl,
    /// and it holds `.npy` entries or is named `.npz` (an archive of no arrays has nothing else to go by).
    static func holdsArrays(_ archive: ZipArchive, path: String) -> Bool {
        let names = archive.entries.map(\.name)
        return !names.contains { $0.hasSuffix("data.pkl") }
            && (path.hasSuffix(".npz") || names.contains { $0.hasSuffix(".npy") })
    }

    /// The arrays of `archive` (the directory of `file`), in entry order.
    static func read(_ file: MappedFile, archive: ZipArchive) throws -> [StoredTensor] {
        let path = file.path
        var tensors: [StoredTensor] = []
        tensors.reserveCapacity(archive.entries.count)
        // Entries that are not .npy files are skipped: `np.load` returns them as raw bytes, never as arrays.
        for entry in archive.entries where entry.name.hasSuffix(".npy") {
            let name = String(entry.name.dropLast(".npy".count))
            let what = "\(path): array '\(name)'"
            let source: MappedFile
            let start: Int
            if entry.isStored {
                source = file
                start = entry.dataOffset
            } else {
                source = try archive.inflated(entry, from: file)
                start = 0
            }
            let array = try NumpyArray(bytes: source.slice(start..<(start + entry.size)), what: what)
            tensors.append(StoredTensor(
                info: TensorInfo(name: name, dtype: array.dtype, shape: array.shape, file: path),
                file: source, byteOffset: start + array.dataOffset, strides: nil))
        }
        return tensors
    }
}
