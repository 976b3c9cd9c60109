import LMTensor
import LMInput

/// T5, T5 v1.1 and Flan-T5 (transformers' T5ForConditionalGeneration): pre-norm blocks with
/// T5LayerNorm (RMS, no bias), no biases anywhere, unscaled attention, a relative position bias
/// owned by the first block of each stack (bidirectional buckets in the encoder, causal in the
/// decoder), head size d_kv (num_heads·d_kv may differ from d_model), a "relu" or gated
/// ("gated-gelu", "gated-silu", ...) feed-forward, and decoding from the pad token.
///
/// Output scaling and tying follow transformers 5.23: the lm head is always tied to `shared`
/// unless the checkpoint stores its own `lm_head.weight` with different values, and the decoder
/// output is multiplied by d_model^-0.5 when `scale_decoder_outputs` (written by
/// save_pretrained) says so, or, in configs without it, unless `tie_word_embeddings` is false
/// (the original T5 checkpoints scale, v1.1/Flan do not).
package enum T5: Architecture {
    package static let modelTypes = ["t5"]

    package static func config(from file: ConfigFile) throws -> ModelConfig {
        let scale = try file.bool("scale_decoder_outputs")
            ?? (try file.bool("tie_word_embeddings") != false)
        return try t5Like(file, modelType: "t5", defaults: Defaults(vocab: 32128, ffn: 2048, layers: 6, heads: 8,
                                                                      feedForward: "relu", start: nil),
                          scaleDecoderOutputs: scale)
    }

    package static func load(config: ModelConfig, weights: WeightStore) throws -> Network {
        try T5Loader.load(config: config, weights: weights)
    }

    /// The config-class defaults where T5 and mT5 differ.
    struct Defaults {
        var vocab: Int
        var ffn: Int
        var layers: Int
        var heads: Int
        var feedForward: String
        /// decoder_start_token_id when absent; nil: the pad token.
        var start: Int?
    }

    /// The config mapping T5 and mT5 share. Absent fields take the config class's defaults, as
    /// transformers gives them.
    static func t5Like(_ file: ConfigFile, modelType: String, defaults: Defaults, scaleDecoderOutputs: Bool) throws
        -> ModelConfig {
        let d = try file.int("d_model", default: 512, minimum: 1)
        let headDim = try file.int("d_kv", default: 64, minimum: 1)
        let ffn = try file.int("d_ff", default: defaults.ffn, minimum: 1)
        let heads = try file.int("num_heads", default: defaults.heads, minimum: 1)
        let layers = try file.int("num_layers", default: defaults.layers, minimum: 0)
        let decoderLayers = try file.int("num_decoder_layers", default: layers, minimum: 0)
        let (inner, overflow) = heads.multipliedReportingOverflow(by: headDim)
        guard !overflow, inner <= 1 << 24 else {
            throw InputError.format("\(file.path): num_heads \(heads) × d_kv \(headDim) is too large")
        }
        let vocab = try file.int("vocab_size", default: defaults.vocab, minimum: 1)
        let buckets = try file.int("relative_attention_num_buckets", default: 32, minimum: 1)
        let maxDistance = try file.int("relative_attention_max_distance", default: 128, minimum: 1)
        for bidirectional in [true, false] {
            if let problem = RelativePositionBias.problem(numBuckets: buckets, maxDistance: maxDistance,
                                                          bidirectional: bidirectional) {
                throw InputError.unsupported("\(file.path): \(problem)")
            }
        }
        let (activation, gated) = try feedForward(file, default: defaults.feedForward)
        let epsilon = try file.double("layer_norm_epsilon") ?? 1e-6
        let pad = try file.int("pad_token_id") ?? 0
        let ids = try BartFamily.specialIds(file, defaults: (pad: 0, eos: 1, bos: nil, start: defaults.start ?? pad))
        return ModelConfig(
            modelType: modelType, dModel: d,
            encoder: ModelConfig.Stack(layers: layers, heads: heads, ffnDim: ffn, headDim: headDim),
            decoder: ModelConfig.Stack(layers: decoderLayers, heads: heads, ffnDim: ffn, headDim: headDim),
            vocabSize: vocab, decoderVocabSize: vocab, activation: activation, gatedFeedForward: gated,
            normalization: .rmsNorm, normEpsilon: Float(epsilon), preNorm: true, embedScale: 1,
            positions: .relativeBias(numBuckets: buckets, maxDistance: maxDistance),
            maxPositions: 0,  // unused: relative positions are unbounded
            layernormEmbedding: false, finalLayerNorm: true, scaleAttention: false,
            linearBias: false, finalLogitsBias: false,
            outputScale: scaleDecoderOutputs ? 1 / Float(d).squareRoot() : 1,
            sharedEmbeddings: true, tiedOutput: true,
            padTokenId: ids.pad, eosTokenIds: ids.eos, bosTokenId: ids.bos, decoderStartTokenId: ids.start)
    }

    /// The feed-forward activation and whether it is gated. As T5Config: `feed_forward_proj` is
    /// "ACT" or "gated-ACT" ("gated-gelu" meaning gelu_new); `dense_act_fn` and `is_gated_act`,
    /// when the file has them (save_pretrained writes both), take precedence.
    static func feedForward(_ file: ConfigFile, default value: String) throws -> (Activation, Bool) {
        let projection = try file.string("feed_forward_proj") ?? value
        let parts = projection.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 1 || (parts.count == 2 && parts[0] == "gated") else {
            throw InputError.format("\(file.path): feed_forward_proj '\(projection)' is not of the form "
                + "'ACT' or 'gated-ACT' (e.g. 'relu', 'gated-gelu')")
        }
        var name = parts[parts.count - 1]
        if projection == "gated-gelu" { name = "gelu_new" }
        var gated = parts.count == 2
        if let explicit = try file.string("dense_act_fn") { name = explicit }
        if let explicit = try file.bool("is_gated_act") { gated = explicit }
        guard let activation = Activation(rawValue: name) else {
            let option = file.has("dense_act_fn") ? "dense_act_fn" : "feed_forward_proj '\(projection)'"
            throw InputError.unsupported("\(file.path): the feed-forward activation '\(name)' (from \(option)) "
                + "is not supported (supported: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return (activation, gated)
    }
}
