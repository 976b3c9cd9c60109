#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LMInput

/// Turns any checkpoint lmcore can read (safetensors, sharded or not, or PyTorch `.bin`) into a model
/// folder with a single `model.safetensors`: the fast, mappable, code-free format. Backs
/// `lmcore-cli convert --model DIR --out DIR2`.
package enum WeightConverter {
    /// What a conversion did.
    package struct Summary: Sendable, Equatable {
        /// The checkpoint read (file or index).
        package let source: String
        /// The file written.
        package let output: String
        package let tensorCount: Int
        /// Bytes of tensor data written.
        package let dataBytes: Int
        /// The other files copied (config, tokenizer...), by name.
        package let copiedFiles: [String]
    }

    /// Converts the checkpoint in `directory` to `outputDirectory/model.safetensors` and copies the
    /// folder's other files (config, generation config, tokenizer and vocabulary files...).
    ///
    /// - Parameter floatType: nil keeps every tensor's dtype (the data is copied bit for bit); `.f32` or
    ///   `.f16` stores F32/F16/BF16 tensors in that type (other dtypes are kept).
    /// - Throws: `InputError.invalidArgument` if the folders are the same, or any load/write error.
    @discardableResult
    package static func convert(directory: String, to outputDirectory: String,
                               floatType: DType? = nil) throws -> Summary {
        if let floatType, floatType != .f32 && floatType != .f16 {
            throw InputError.invalidArgument("convert: float type must be F32 or F16, not \(floatType.rawValue)")
        }
        let store = try WeightStore.open(directory: directory)
        try makeDirectories(outputDirectory)
        if let a = realPath(directory), let b = realPath(outputDirectory), a == b {
            throw InputError.invalidArgument("convert: the output folder \(outputDirectory) is the model folder; "
                + "choose another")
        }

        var entries: [SafetensorsWriter.Entry] = []
        var dataBytes = 0
        for key in store.keys {
            guard let info = store.info(key) else { continue }
            if let floatType, info.dtype.isReadableAsFloat, info.dtype != floatType {
                // Converted tensors are read when written, so at most one is in memory at a time.
                let byteCount = info.elementCount * (floatType == .f16 ? 2 : 4)
                entries.append(SafetensorsWriter.Entry(
                    name: key, dtype: floatType, shape: info.shape, byteCount: byteCount) { writer in
                    try SafetensorsWriter.floatEntry(name: key, tensor: store.tensor(key), dtype: floatType).write(writer)
                })
                dataBytes += byteCount
            } else {
                let byteCount = info.dtype.bitSize * info.elementCount / 8
                entries.append(SafetensorsWriter.Entry(
                    name: key, dtype: info.dtype, shape: info.shape, byteCount: byteCount) { writer in
                    try writer.write(store.rawBytes(key))
                })
                dataBytes += byteCount
            }
        }
        var metadata = store.metadata
        // transformers refuses safetensors files whose format is not a framework it knows.
        if metadata["format"] == nil { metadata["format"] = "pt" }
        let output = WeightFiles.join(outputDirectory, "model.safetensors")
        try SafetensorsWriter.write(entries: entries, metadata: metadata, to: output)

        var copied: [String] = []
        for name in try WeightFiles.list(directory) where shouldCopy(name) {
            let source = WeightFiles.join(directory, name)
            guard WeightFiles.isRegularFile(source) else { continue }
            try WeightFiles.copyFile(from: source, to: WeightFiles.join(outputDirectory, name))
            copied.append(name)
        }
        return Summary(source: store.source, output: output, tensorCount: entries.count, dataBytes: dataBytes,
                       copiedFiles: copied)
    }

    /// Checkpoint files (in any framework's format) are not copied: the converted file replaces them.
    static func shouldCopy(_ name: String) -> Bool {
        if name.hasPrefix(".") { return false }
        let weightSuffixes = [".safetensors", ".bin", ".index.json", ".h5", ".msgpack", ".ot", ".pt", ".pth", ".ckpt"]
        return !weightSuffixes.contains(where: { name.hasSuffix($0) })
    }

    private static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            try WeightFiles.makeDirectory(prefix)
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
