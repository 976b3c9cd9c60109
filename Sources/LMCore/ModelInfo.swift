import LMModel

/// What a loaded model is, as plain values: the one description behind `lmcore_model_get_info`,
/// `lmcore-cli inspect` (`ModelSummary`) and `lmcore-cli bench`, so no caller reaches into the
/// network's configuration or parses printed text.
public struct ModelInfo: Sendable, Equatable {
    /// One side of the network (encoder or decoder).
    public struct Stack: Sendable, Equatable {
        public let layers: Int
        public let heads: Int
        public let headDim: Int
        public let ffnDim: Int
    }

    public let modelType: String
    public let path: String
    public let dModel: Int
    public let encoder: Stack
    public let decoder: Stack
    public let vocabSize: Int
    public let decoderVocabSize: Int
    /// The activation's config.json name, e.g. "gelu", "swish", "relu".
    public let activation: String
    public let gatedFeedForward: Bool
    /// "layer_norm" or "rms_norm", and whether it runs before (pre) or after (post) each block.
    public let normalization: String
    public let preNorm: Bool
    /// How positions enter, in words ("sinusoidal", "learned (offset 2)", "relative bias (...)").
    public let positions: String
    public let maxPositions: Int
    public let parameters: Int
    /// Stored tensor dtypes and how many tensors of each.
    public let storedDtypes: [String: Int]
    public let padTokenId: Int
    public let eosTokenIds: [Int]
    public let bosTokenId: Int?
    public let decoderStartTokenId: Int
    public let hasTokenizer: Bool
    /// The compute path in use: BLAS library and kernels, threads (ComputeBackend.description).
    public let compute: String
    /// The decoder's weight storage this model was loaded with ("float32", "float16", "int8_float32").
    public let computeType: String
    /// For rnn_seq2seq models, the cell, directions, bridge and attention in words; nil otherwise.
    public let recurrent: String?
}

extension Model {
    /// This model's description.
    public var info: ModelInfo {
        let c = network.config
        let positions: String
        switch c.positions {
        case .sinusoidalMarian: positions = "sinusoidal"
        case .sinusoidalFairseq: positions = "sinusoidal (fairseq)"
        case .learned(let offset): positions = "learned (offset \(offset))"
        case .relativeBias(let buckets, let distance): positions = "relative bias (\(buckets) buckets, max distance \(distance))"
        case .recurrence: positions = "none (recurrent)"
        }
        func stack(_ s: ModelConfig.Stack) -> ModelInfo.Stack {
            ModelInfo.Stack(layers: s.layers, heads: s.heads, headDim: s.headDim, ffnDim: s.ffnDim)
        }
        return ModelInfo(
            modelType: c.modelType, path: path, dModel: c.dModel, encoder: stack(c.encoder), decoder: stack(c.decoder),
            vocabSize: c.vocabSize, decoderVocabSize: c.decoderVocabSize, activation: c.activation.rawValue,
            gatedFeedForward: c.gatedFeedForward,
            normalization: c.recurrent != nil ? "none" : c.normalization == .layerNorm ? "layer_norm" : "rms_norm",
            preNorm: c.preNorm, positions: positions, maxPositions: c.maxPositions, parameters: network.parameterCount,
            storedDtypes: network.storedDtypes, padTokenId: c.padTokenId, eosTokenIds: c.eosTokenIds,
            bosTokenId: c.bosTokenId, decoderStartTokenId: c.decoderStartTokenId, hasTokenizer: tokenizer != nil,
            compute: ComputeBackend.description, computeType: network.computeType.rawValue,
            recurrent: c.recurrent?.summary)
    }
}
