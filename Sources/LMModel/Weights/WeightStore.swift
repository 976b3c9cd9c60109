import LMTensor
import LMInput

/// All tensors of a checkpoint, by key: the one way model code reaches weights.
///
/// Opening a checkpoint maps its files and validates every header, but reads no tensor data; each
/// `tensor(_:)` call copies (and if needed converts) one tensor out of the mapping. The store is
/// immutable, so one store can serve many threads; the files stay mapped until it is released.
///
/// ```swift
/// let weights = try WeightStore.open(directory: "opus-mt-en-de")
/// let attention = weights.scope("model.encoder.layers.0.self_attn")
/// let k = try attention.tensor("k_proj.weight", shape: [d, d])
/// ```
package final class WeightStore: Sendable {
    /// What was opened (the folder, or the files): the prefix of error messages not about one file.
    package let source: String
    /// The safetensors `__metadata__` entries of the opened files, merged (empty for PyTorch files).
    package let metadata: [String: String]
    /// Every tensor key, sorted.
    package let keys: [String]
    private let tensors: [String: StoredTensor]
    /// When set, the keys the loaders take as linear weights (`lmcore-cli convert --quantize int8`
    /// quantizes exactly those).
    package let linearWeightLog: KeyLog?

    /// Builds a store from validated tensors; the same key in two files is an error.
    init(source: String, tensors list: [StoredTensor], metadata: [String: String]) throws {
        var byKey: [String: StoredTensor] = [:]
        byKey.reserveCapacity(list.count)
        for t in list {
            if let other = byKey[t.info.name] {
                throw InputError.format("\(source): tensor '\(t.info.name)' appears twice, in \(other.info.file) "
                    + "and in \(t.info.file)")
            }
            byKey[t.info.name] = t
        }
        self.source = source
        self.metadata = metadata
        self.tensors = byKey
        self.keys = byKey.keys.sorted()
        linearWeightLog = nil
    }

    private init(copying other: WeightStore, log: KeyLog) {
        source = other.source
        metadata = other.metadata
        tensors = other.tensors
        keys = other.keys
        linearWeightLog = log
    }

    /// The same tensors, with a log of the keys loaded as linear weights.
    package func recordingLinearWeights() -> WeightStore {
        WeightStore(copying: self, log: KeyLog())
    }

    /// Opens explicit checkpoint files: `.safetensors`, PyTorch `.bin`/`.pt`/`.pth` (zip or legacy format),
    /// or numpy `.npz` (`savez` or `savez_compressed`).
    /// Keys must be unique across the files.
    package static func open(files: [String]) throws -> WeightStore {
        guard !files.isEmpty else {
            throw InputError.invalidArgument("WeightStore.open(files:): no files given")
        }
        var all: [StoredTensor] = []
        var metadata: [String: String] = [:]
        for path in files {
            let opened = try CheckpointFile.open(path: path)
            all.append(contentsOf: opened.tensors)
            metadata.merge(opened.metadata) { first, _ in first }
        }
        let source = files.count == 1 ? files[0] : files.joined(separator: ", ")
        return try WeightStore(source: source, tensors: all, metadata: metadata)
    }

    /// Opens `path` as a model folder (`open(directory:)`) or, if it is a file, as one checkpoint file.
    package static func open(path: String) throws -> WeightStore {
        WeightFiles.isDirectory(path) ? try open(directory: path) : try open(files: [path])
    }

    /// True when the checkpoint holds `key`.
    package func contains(_ key: String) -> Bool {
        tensors[key] != nil
    }

    /// The dtype, shape and file of `key`, or nil when absent.
    package func info(_ key: String) -> TensorInfo? {
        tensors[key]?.info
    }

    /// The tensor `key` as float32 (F16 and BF16 are widened exactly, F64 rounded to nearest even).
    /// - Throws: `InputError.format` when the key is missing, `.unsupported` for other dtypes.
    package func tensor(_ key: String) throws -> Tensor {
        let stored = try readable(key)
        let count = stored.info.elementCount
        let storage = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let dst = buffer.baseAddress { decode(stored, into: dst) }
            initialized = count
        }
        return Tensor(shape: stored.info.shape, storage: storage)
    }

    /// The tensor `key` as float32 in a new FloatBuffer, checked to have exactly `shape`: what the
    /// layers keep, decoded straight from the mapped file (no intermediate array: a second copy of
    /// every weight, in time and in peak memory). An int8 matrix with its scales (`Int8Matrix`) is
    /// dequantized.
    package func buffer(_ key: String, shape: [Int]) throws -> FloatBuffer {
        if tensors[key]?.info.dtype == .i8 { return try int8Matrix(key, shape: shape).dequantized() }
        let stored = try readable(key, shape: shape)
        let out = FloatBuffer(count: stored.info.elementCount, zeroed: false)
        decode(stored, into: out.pointer)
        return out
    }

    /// The matrix `key` (N, K) as stored: int8 rows with their `<key>_scale` tensor, or any float
    /// dtype decoded to float32.
    package func matrix(_ key: String, shape: [Int]) throws -> StoredMatrix {
        tensors[key]?.info.dtype == .i8 ? .int8(try int8Matrix(key, shape: shape)) : .float(try buffer(key, shape: shape))
    }

    /// The I8 tensor `key` of `shape` (N, K) with its scales, `<key>_scale`: F32/F16/BF16 of shape (N)
    /// or (N, 1), every value finite and non-negative.
    private func int8Matrix(_ key: String, shape: [Int]) throws -> Int8Matrix {
        let stored = try lookup(key)
        let info = stored.info
        guard info.shape == shape, shape.count == 2, shape[0] > 0, shape[1] > 0 else {
            throw InputError.format("\(info.file): tensor '\(key)' has shape \(info.shape), expected \(shape)")
        }
        let scaleKey = key + "_scale"
        guard let scaleInfo = tensors[scaleKey]?.info else {
            throw InputError.format("\(info.file): tensor '\(key)' is int8 (I8) but '\(scaleKey)' is missing "
                + "(int8 weights need one scale per row)")
        }
        guard scaleInfo.shape == [shape[0]] || scaleInfo.shape == [shape[0], 1] else {
            throw InputError.format("\(scaleInfo.file): tensor '\(scaleKey)' has shape \(scaleInfo.shape), expected "
                + "[\(shape[0])] or [\(shape[0]), 1] (one scale per row of '\(key)')")
        }
        let scaleStored = try readable(scaleKey)
        let scales = FloatBuffer(count: shape[0], zeroed: false)
        decode(scaleStored, into: scales.pointer)
        for r in 0..<shape[0] where !(scales.pointer[r].isFinite && scales.pointer[r] >= 0) {
            throw InputError.format("\(scaleInfo.file): tensor '\(scaleKey)' holds \(scales.pointer[r]) at row \(r); "
                + "int8 scales must be finite and non-negative")
        }
        return Int8Matrix(stored: stored, scales: scales)
    }

    /// `key`'s stored tensor, checked to be readable as float32 (and to have `shape` when given).
    private func readable(_ key: String, shape: [Int]? = nil) throws -> StoredTensor {
        let stored = try lookup(key)
        let info = stored.info
        if let shape, info.shape != shape {
            throw InputError.format("\(info.file): tensor '\(key)' has shape \(info.shape), expected \(shape)")
        }
        guard info.dtype.isReadableAsFloat else {
            throw InputError.unsupported("\(info.file): tensor '\(key)' has dtype \(info.dtype.rawValue); "
                + "only F32, F16, BF16 and F64 tensors can be read as float32")
        }
        return stored
    }

    /// Writes `stored` as float32 to `dst` (elementCount floats), then releases its mapped pages.
    private func decode(_ stored: StoredTensor, into dst: UnsafeMutablePointer<Float>) {
        let info = stored.info
        let count = info.elementCount
        // A non-empty tensor lies inside a non-empty mapping (validated), so both pointers exist.
        guard count > 0, let base = stored.file.bytes.baseAddress else {
            dst.initialize(repeating: 0, count: max(0, count))
            return
        }
        FloatBuffer.adviseHugePages(UnsafeMutableRawPointer(dst), byteCount: count * 4)
        if stored.isContiguous {
            stored.file.willNeed(stored.byteRange)
            FloatDecoding.convert(info.dtype, from: base + stored.byteOffset, to: dst, count: count)
        } else {
            // A strided PyTorch view: gather it in row-major order first.
            let bytes = stored.contiguousBytes()
            bytes.withUnsafeBytes { raw in
                guard let src = raw.baseAddress else { return }
                FloatDecoding.convert(info.dtype, from: src, to: dst, count: count)
            }
        }
        stored.file.release(stored.byteRange)
    }

    /// The tensor `key` as float32, checked to have exactly `shape`.
    /// - Throws: `InputError.format` naming the file, the tensor and both shapes on a mismatch.
    package func tensor(_ key: String, shape: [Int]) throws -> Tensor {
        _ = try readable(key, shape: shape)
        return try tensor(key)
    }

    /// The raw bytes of `key` in its stored dtype, row-major (used by the converter).
    package func rawBytes(_ key: String) throws -> [UInt8] {
        try lookup(key).contiguousBytes()
    }

    /// A view that prefixes every key with `prefix` and a dot.
    package func scope(_ prefix: String) -> WeightScope {
        WeightScope(store: self, prefix: prefix)
    }

    private func lookup(_ key: String) throws -> StoredTensor {
        guard let stored = tensors[key] else {
            throw InputError.format("\(source): tensor '\(key)' is missing" + nearMiss(key))
        }
        return stored
    }

    /// A hint when the key exists under another prefix, as when a checkpoint was saved from the bare
    /// model ("encoder.layers...") rather than the one with a head ("model.encoder.layers..."), or back.
    private func nearMiss(_ key: String) -> String {
        let other = keys.first { $0.hasSuffix("." + key) } ?? keys.first { key.hasSuffix("." + $0) }
        return other.map { " (the checkpoint has '\($0)')" } ?? ""
    }
}
