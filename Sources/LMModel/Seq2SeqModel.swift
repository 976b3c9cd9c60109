#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LMTensor
import LMInput

/// A loaded encoder-decoder checkpoint: ids in, logits out. Immutable after loading and safe
/// to share between threads; per-request state lives in `DecoderState`.
package final class Seq2SeqModel: Sendable {
    package let config: ModelConfig
    package let network: Network
    /// The folder the model was loaded from.
    package let directory: String
    /// Dtypes of the stored tensors and how many of each (for `inspect`).
    package let storedDtypes: [String: Int]
    /// Threads for the engine's own parallel loops (OpenBLAS threads are set separately).
    package let threads: Int

    /// The decoder's weight storage in effect: the requested type as this CPU runs it
    /// (`ComputeType.effective`).
    package var computeType: ComputeType { config.computeType.effective }

    package init(config: ModelConfig, network: Network, directory: String,
                storedDtypes: [String: Int], threads: Int) {
        self.config = config
        self.network = network
        self.directory = directory
        self.storedDtypes = storedDtypes
        self.threads = max(1, threads)
    }

    /// Reads the architecture from `<directory>/config.json` and the weights from the folder's
    /// checkpoint files.
    package static func load(directory: String, threads: Int = 1) throws -> Seq2SeqModel {
        try load(directory: directory, config: readConfig(directory: directory), threads: threads)
    }

    /// A model folder's config.json, or an error saying the folder is not one.
    package static func readConfig(directory: String) throws -> ConfigFile {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory else {
            throw InputError.io("\(directory): not a model folder (it does not exist or is not a directory)")
        }
        return try ConfigFile.read(directory + "/config.json")
    }

    /// The weights from the folder's checkpoint files, for the architecture `configFile` describes.
    package static func load(directory: String, config configFile: ConfigFile, threads: Int = 1,
                             computeType: ComputeType = .float32) throws -> Seq2SeqModel {
        var (config, architecture) = try resolve(configFile)
        config.computeType = computeType
        let weights = try WeightStore.open(directory: directory)
        let network = try architecture.load(config: config, weights: weights)
        if case .recurrent(let model) = network {
            // A recurrent config.json need not state the vocabularies: they are the embedding tables'.
            config.vocabSize = model.encoder.vocabSize
            config.decoderVocabSize = model.decoder.vocabularySize
            try checkSpecialIds(config, file: configFile)
        }
        var dtypes: [String: Int] = [:]
        for key in weights.keys {
            if let info = weights.info(key) { dtypes[info.dtype.rawValue, default: 0] += 1 }
        }
        return Seq2SeqModel(config: config, network: network, directory: directory,
                            storedDtypes: dtypes, threads: threads)
    }

    /// The computation described by a config.json, or an error naming what is unsupported.
    package static func architectureConfig(_ file: ConfigFile) throws -> ModelConfig {
        try resolve(file).config
    }

    /// The architecture a config.json names and the computation it describes, looked up once.
    static func resolve(_ file: ConfigFile) throws -> (config: ModelConfig, architecture: any Architecture.Type) {
        guard let modelType = try file.string("model_type") else {
            throw InputError.format("\(file.path): field 'model_type' is missing")
        }
        guard let architecture = Architectures.named(modelType) else {
            throw InputError.unsupported("\(file.path): model_type '\(modelType)' is not supported (supported: "
                + Architectures.supportedModelTypes.joined(separator: ", ") + ")")
        }
        let config = try architecture.config(from: file)
        try checkLimits(config, file: file)
        try checkSpecialIds(config, file: file)
        return (config, architecture)
    }

    /// The special ids name tokens of the decoder vocabulary, and fit the 32-bit ids used everywhere else.
    static func checkSpecialIds(_ config: ModelConfig, file: ConfigFile) throws {
        let vocab = config.decoderVocabSize
        for (name, id) in [("pad_token_id", config.padTokenId), ("decoder_start_token_id", config.decoderStartTokenId)]
            where id < 0 || id >= vocab {
            throw InputError.format("\(file.path): \(name) \(id) is outside the decoder vocabulary [0, \(vocab))")
        }
        // Token ids are 32-bit everywhere else (generation_config.json, the C API); a config id past
        // that range cannot name a token.
        for (name, id) in config.eosTokenIds.map({ ("eos_token_id", $0) }) + [("bos_token_id", config.bosTokenId ?? 0)]
            where Int32(exactly: id) == nil {
            throw InputError.format("\(file.path): \(name) \(id) is not a 32-bit token id")
        }
    }

    /// The largest vocabulary lmcore loads.
    package static let maxVocabulary = 1 << 24

    /// Bounds on a config's dimensions. They sit far above every published seq2seq model but
    /// keep a hostile config.json from asking for terabytes (computed position tables are sized
    /// from the config before any weight shape can contradict it).
    static func checkLimits(_ c: ModelConfig, file: ConfigFile) throws {
        let limits: [(String, Int, Int)] = [
            ("d_model", c.dModel, 1 << 16), ("vocab_size", c.vocabSize, maxVocabulary),
            ("decoder_vocab_size", c.decoderVocabSize, maxVocabulary), ("encoder layers", c.encoder.layers, 1024),
            ("decoder layers", c.decoder.layers, 1024), ("encoder heads", c.encoder.heads, 4096),
            ("decoder heads", c.decoder.heads, 4096), ("encoder ffn dim", c.encoder.ffnDim, 1 << 20),
            ("decoder ffn dim", c.decoder.ffnDim, 1 << 20), ("head dim", max(c.encoder.headDim, c.decoder.headDim), 1 << 16),
            ("max_position_embeddings", c.maxPositions, 1 << 20),
        ]
        for (name, value, limit) in limits where value > limit {
            throw InputError.unsupported("\(file.path): \(name) \(value) is larger than lmcore's limit \(limit)")
        }
        if case .sinusoidalMarian = c.positions, c.maxPositions * c.dModel > 1 << 27 {
            throw InputError.unsupported("\(file.path): a sinusoidal table of max_position_embeddings \(c.maxPositions) "
                + "x d_model \(c.dModel) is larger than lmcore's limit of \(1 << 27) values")
        }
    }

    /// The Transformer's stacks; nil for a recurrent model.
    package var transformer: (encoder: Encoder, decoder: Decoder)? {
        if case .transformer(let encoder, let decoder) = network { return (encoder, decoder) }
        return nil
    }

    /// Checks ids and lengths as `encode` would, naming the input by its index in `inputs`.
    package func validate(_ inputs: [[Int32]]) throws {
        switch network {
        case .transformer(let encoder, _): try encoder.validate(inputs)
        case .recurrent(let model): try model.encoder.validate(inputs)
        }
    }

    /// Runs the encoder over a batch of id sequences (no ids are added).
    package func encode(_ inputs: [[Int32]], observer: ((Int, FloatBuffer) -> Void)? = nil) throws -> EncoderOutput {
        switch network {
        case .transformer(let encoder, _): return try encoder(inputs, threads: threads, observer: observer)
        case .recurrent(let model): return try model.encoder(inputs, threads: threads, observer: observer)
        }
    }

    /// Starts decoding `encoderOutput`: one row per input, no token fed yet.
    package func startDecoding(_ encoderOutput: EncoderOutput) throws -> any DecodingState {
        switch network {
        case .transformer(_, let decoder):
            return DecoderState(decoder: decoder, encoderOutput: encoderOutput, threads: threads)
        case .recurrent(let model):
            return try RecurrentDecoderState(model: model, encoderOutput: encoderOutput, threads: threads)
        }
    }

    package var parameterCount: Int {
        switch network {
        case .transformer(let encoder, let decoder):
            var total = encoder.parameterCount + decoder.parameterCount
            if encoder.embeddings.tokens.isSame(as: decoder.embeddings.tokens) {
                total -= encoder.embeddings.vocabSize * encoder.embeddings.dim
            }
            return total
        case .recurrent(let model):
            return model.parameterCount
        }
    }
}
