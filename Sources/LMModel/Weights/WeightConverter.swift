#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LMInput
import LMTensor

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
    /// - Parameters:
    ///   - floatType: nil keeps every tensor's dtype (the data is copied bit for bit); `.f32` or
    ///     `.f16` stores F32/F16/BF16 tensors in that type (other dtypes are kept).
    ///   - quantizeInt8: stores every weight the model's loader takes as a linear layer (the encoder's
    ///     and decoder's projections and the lm head, with the tables tied to it: what an int8 load
    ///     packs) as int8 rows `<key>` (I8) with `<key>_scale` (F32, (N, 1)), quantized exactly as
    ///     loading packs int8 (`PackedMatrix.quantizeRows`), so the file loads without quantizing.
    /// - Throws: `InputError.invalidArgument` if the folders are the same, `.unsupported` when int8 is
    ///   asked for a model with no such weights (the recurrent models), or any load/write error.
    @discardableResult
    package static func convert(directory: String, to outputDirectory: String,
                               floatType: DType? = nil, quantizeInt8: Bool = false) throws -> Summary {
        if let floatType, floatType != .f32 && floatType != .f16 {
            throw InputError.invalidArgument("convert: float type must be F32 or F16, not \(floatType.rawValue)")
        }
        let store = try WeightStore.open(directory: directory)
        let quantized = quantizeInt8 ? try linearWeights(directory: directory, store: store) : []
        try makeDirectories(outputDirectory)
        if let a = realPath(directory), let b = realPath(outputDirectory), a == b {
            throw InputError.invalidArgument("convert: the output folder \(outputDirectory) is the model folder; "
                + "choose another")
        }

        var entries: [SafetensorsWriter.Entry] = []
        var dataBytes = 0
        for key in store.keys {
            guard let info = store.info(key) else { continue }
            if quantized.contains(key), info.dtype.isReadableAsFloat, info.shape.count == 2 {
                let pair = try int8Entries(key, info: info, store: store)
                entries += pair
                dataBytes += pair.reduce(0) { $0 + $1.byteCount }
            } else if let floatType, info.dtype.isReadableAsFloat, info.dtype != floatType {
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
        if !quantized.isEmpty {
            metadata["lmcore_quantization"] = "int8 per output row: <key> I8, <key>_scale F32 = max|row| / 127"
        }
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

    /// The keys the model's loader takes as linear weights: it loads the model once (float32) from a
    /// store that records them (`WeightStore.recordingLinearWeights`).
    static func linearWeights(directory: String, store: WeightStore) throws -> Set<String> {
        let recording = store.recordingLinearWeights()
        var (config, architecture) = try Seq2SeqModel.resolve(try Seq2SeqModel.readConfig(directory: directory))
        config.computeType = .float32
        _ = try architecture.load(config: config, weights: recording)
        let keys = Set(recording.linearWeightLog?.keys ?? [])
        guard !keys.isEmpty else {
            throw InputError.unsupported("convert --quantize int8: model_type '\(config.modelType)' has no "
                + "weights lmcore packs as int8 (the transformer models do; the recurrent ones do not)")
        }
        for key in keys where store.contains(key + "_scale") && store.info(key)?.dtype != .i8 {
            throw InputError.format("\(store.source): tensor '\(key)_scale' exists, so '\(key)' cannot be stored "
                + "as int8 with its scale under that name")
        }
        return keys
    }

    /// `key` (N, K) as int8 rows and `key_scale` (N, 1), each computed when written (one tensor in
    /// memory at a time; the quantization runs twice, which costs less than holding it).
    static func int8Entries(_ key: String, info: TensorInfo, store: WeightStore) throws -> [SafetensorsWriter.Entry] {
        let n = info.shape[0], k = info.shape[1]
        func quantize(_ use: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws {
            let w = try store.buffer(key, shape: info.shape)
            let values = UnsafeMutablePointer<Int8>.allocate(capacity: max(1, n * k))
            let scales = UnsafeMutablePointer<Float>.allocate(capacity: max(1, n))
            defer {
                values.deallocate()
                scales.deallocate()
            }
            PackedMatrix.quantizeRows(w.pointer, outFeatures: n, inFeatures: k, into: values, scales: scales)
            try use(UnsafeRawBufferPointer(start: values, count: n * k),
                    UnsafeRawBufferPointer(start: scales, count: n * MemoryLayout<Float>.stride))
        }
        return [
            SafetensorsWriter.Entry(name: key, dtype: .i8, shape: [n, k], byteCount: n * k) { writer in
                try quantize { values, _ in try writer.write(values) }
            },
            SafetensorsWriter.Entry(name: key + "_scale", dtype: .f32, shape: [n, 1], byteCount: n * 4) { writer in
                try quantize { _, scales in try writer.write(scales) }
            },
        ]
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
