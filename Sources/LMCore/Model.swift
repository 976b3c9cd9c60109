#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LMGeneration
import LMInput
import LMModel
import LMTensor
import LMTokenizer

/// How weights are stored and multiplied (`compute_type`): float16 and int8_float32 reduce the
/// decoder's weights only, int8 the encoder's too (see ARCHITECTURE.md, "Compute types").
public enum ComputeType: String, Sendable, CaseIterable, Equatable {
    case float32
    /// Decoder weights in IEEE half precision: half the bytes per decoding step.
    case float16
    /// Decoder weights in int8 with a float32 scale per output feature: a quarter of the bytes.
    case int8Float32 = "int8_float32"
    /// int8 weights times int8 activations (quantized per row at each product), int32 sums:
    /// CTranslate2's int8. Needs AVX-512 VNNI; elsewhere it loads as int8_float32.
    case int8
    /// The type lmcore picks for this CPU (`ComputeType.automatic`).
    case auto

    /// What `auto` means on this machine: the fastest type that keeps the bundled model's held-out
    /// exact match (the accuracy bar: no drop), as measured in bench/README.md. int8 where the CPU
    /// has AVX-512 VNNI (2.2-2.7x float32 at batch 32 there); else int8_float32 where the packed
    /// kernels run (AVX2+FMA+F16C: 1.6-2.3x float32 at batch 1, within about 10% of the others at
    /// batch 32); else float32. CTranslate2's `auto` likewise picks int8 on CPUs.
    public static var automatic: ComputeType {
        guard ComputeBackend.packedKernels else { return .float32 }
        return ComputeBackend.integerProducts ? .int8 : .int8Float32
    }

    /// The concrete type a load uses (`auto` resolved).
    public var resolved: ComputeType { self == .auto ? ComputeType.automatic : self }

    var modelType: LMModel.ComputeType {
        switch resolved {
        case .float32, .auto: return .float32
        case .float16: return .float16
        case .int8Float32: return .int8Float32
        case .int8: return .int8
        }
    }
}

/// How to load a model.
public struct ModelOptions: Sendable, Equatable {
    /// Threads for one call (attention, norms) and for OpenBLAS's GEMMs; 0 = all cores.
    /// OpenBLAS's thread count is process-wide: the last loaded model's setting wins.
    public var threads: Int = 0
    /// Load the folder's tokenizer (tokenizer.json, Marian's .spm pair, spiece.model) if present.
    public var loadTokenizer: Bool = true
    /// How the decoder's weights are stored.
    public var computeType: ComputeType = .float32

    public init(threads: Int = 0, loadTokenizer: Bool = true, computeType: ComputeType = .float32) {
        self.threads = threads
        self.loadTokenizer = loadTokenizer
        self.computeType = computeType
    }
}

/// A Hugging Face model folder, loaded: the network, its tokenizer and its generation defaults.
/// Immutable, so one Model serves any number of threads; each call has its own decoder state.
public final class Model: Sendable {
    /// The network itself: for the engine and its tests, not the public API (use `info`).
    package let network: Seq2SeqModel
    public let tokenizer: (any TextTokenizer)?
    /// generation_config.json (or config.json's legacy fields) as search options.
    public let generationDefaults: GenerationOptions
    public let path: String
    public let threads: Int

    /// Loads a model folder (config.json, weights, optional generation_config.json and tokenizer).
    public static func load(path: String, options: ModelOptions = ModelOptions()) throws(LMCoreError) -> Model {
        try lmcore {
            let started = ContinuousClock.now
            let threads = options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
            ComputeBackend.blasThreads = threads
            // config.json is parsed once and handed to each reader: the network, the generation
            // defaults (legacy generation fields) and the tokenizer choice (model_type).
            let config = try Seq2SeqModel.readConfig(directory: path)
            let network = try Seq2SeqModel.load(directory: path, config: config, threads: threads,
                                                computeType: options.computeType.modelType)
            let generationPath = path + "/generation_config.json"
            let generationConfig = FileManager.default.fileExists(atPath: generationPath)
                ? try JSONReader.parse(contentsOf: generationPath, options: .python) : nil
            let defaults = try GenerationOptions.modelDefaults(generationConfig: generationConfig, modelConfig: config.value,
                                                               generationConfigFile: generationPath, modelConfigFile: config.path)
            let tokenizer = options.loadTokenizer ? try Model.findTokenizer(in: path, modelConfig: config.value) : nil
            // Loading frees the float32 copies of packed weights; return that memory to the system
            // (glibc keeps freed blocks below its mmap threshold otherwise: ~50 MB on opus-mt).
            ComputeBackend.releaseFreedMemory()
            let requested = options.computeType.resolved.modelType
            if options.computeType != .auto && network.computeType != requested {
                Log.message(.warning, "\(path): compute_type \(options.computeType.rawValue) runs as "
                    + "\(network.computeType.rawValue) on this CPU (\(ComputeBackend.description))")
            }
            let elapsed = started.duration(to: .now)
            Log.message(.info, "loaded \(path): \(network.config.modelType), compute type \(network.computeType.rawValue), "
                + "\(network.parameterCount) parameters, tokenizer \(tokenizer == nil ? "none" : "yes"), \(threads) threads, "
                + "\(elapsed)")
            let model = Model(network: network, tokenizer: tokenizer, generationDefaults: defaults, path: path,
                              threads: threads)
            if ProcessInfo.processInfo.environment["LMCORE_NO_WARMUP"] == nil { model.warmUp() }
            return model
        }
    }

    init(network: Seq2SeqModel, tokenizer: (any TextTokenizer)?, generationDefaults: GenerationOptions,
         path: String, threads: Int) {
        self.network = network
        self.tokenizer = tokenizer
        self.generationDefaults = generationDefaults
        self.path = path
        self.threads = threads
    }

    /// The folder's tokenizer, or nil when it has no tokenizer files.
    static func findTokenizer(in path: String, modelConfig: JSONValue) throws -> (any TextTokenizer)? {
        let candidates = ["tokenizer.json", "source.spm", "spiece.model", "sentencepiece.bpe.model"]
        guard candidates.contains(where: { FileManager.default.fileExists(atPath: path + "/" + $0) }) else {
            return nil
        }
        return try Tokenizers.load(path: path, modelConfig: modelConfig)
    }

    /// The tokenizer, or an error saying the model folder has none.
    public func requireTokenizer() throws(LMCoreError) -> any TextTokenizer {
        guard let tokenizer else {
            throw LMCoreError(.invalidArgument, "\(path): the model folder has no tokenizer (tokenizer.json, "
                + "source.spm/target.spm or spiece.model); pass ids instead of text")
        }
        return tokenizer
    }
}
