#if canImport(Glibc)
import Glibc
#endif
import LMTensor
import LMInput

/// Checkpoint layout and config fields shared by the BART-derived models (Marian, BART,
/// mBART, Pegasus, M2M100): `model.{encoder,decoder}.layers.N.{self_attn,encoder_attn,fc1,fc2,...}`.
enum BartFamily {
    /// The activation named by `activation_function`.
    static func activation(_ file: ConfigFile, default value: String) throws -> Activation {
        let name = try file.string("activation_function") ?? value
        guard let activation = Activation(rawValue: name) else {
            throw InputError.unsupported("\(file.path): activation_function '\(name)' is not supported "
                + "(supported: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return activation
    }

    /// Encoder/decoder stack sizes from the BART-style fields; heads must divide d_model.
    static func stacks(_ file: ConfigFile, dModel: Int) throws -> (ModelConfig.Stack, ModelConfig.Stack) {
        func stack(_ prefix: String) throws -> ModelConfig.Stack {
            let layers = try file.requiredInt("\(prefix)_layers", minimum: 0)
            let heads = try file.requiredInt("\(prefix)_attention_heads")
            let ffn = try file.requiredInt("\(prefix)_ffn_dim")
            guard dModel % heads == 0 else {
                throw InputError.format("\(file.path): d_model \(dModel) is not divisible by "
                    + "\(prefix)_attention_heads \(heads)")
            }
            return ModelConfig.Stack(layers: layers, heads: heads, ffnDim: ffn, headDim: dModel / heads)
        }
        return (try stack("encoder"), try stack("decoder"))
    }

    /// The special-token ids every seq2seq config carries.
    static func specialIds(_ file: ConfigFile, defaults: (pad: Int, eos: Int, bos: Int?, start: Int?))
        throws -> (pad: Int, eos: [Int], bos: Int?, start: Int) {
        let pad = try file.int("pad_token_id") ?? defaults.pad
        var eos = try file.intList("eos_token_id")
        if eos.isEmpty && !file.has("eos_token_id") { eos = [defaults.eos] }
        let bos = file.has("bos_token_id") ? try file.int("bos_token_id") : defaults.bos
        // transformers falls back to bos when no decoder start is configured.
        guard let start = try file.int("decoder_start_token_id") ?? defaults.start ?? bos else {
            throw InputError.format("\(file.path): neither decoder_start_token_id nor bos_token_id is set")
        }
        return (pad, eos, bos, start)
    }

    /// The prefix of the checkpoint's keys: "model." for *ForConditionalGeneration, "" for a
    /// bare *Model.
    static func prefix(_ weights: WeightStore) -> String {
        if weights.keys.contains(where: { $0.hasPrefix("model.encoder.") }) { return "model." }
        return ""
    }

    /// The first of `keys` the checkpoint holds, loaded with `shape`. Tables already loaded
    /// (`loaded`) are reused, also under another key when their contents are identical (old
    /// checkpoints store tied tables several times), so a tied 58k×512 table exists once.
    static func firstPresent(_ weights: WeightStore, _ keys: [String], shape: [Int],
                             loaded: inout [String: StoredMatrix]) throws -> StoredMatrix {
        for key in keys where weights.contains(key) {
            if let existing = loaded[key] { return existing }
            let table = try weights.matrix(key, shape: shape)
            for other in loaded.values where other.hasSameContents(as: table) {
                loaded[key] = other
                return other
            }
            loaded[key] = table
            return table
        }
        throw InputError.format("\(weights.source): tensor '\(keys[0])' is missing")
    }

    /// Notes the keys whose table is the lm head as linear weights (`WeightStore.linearWeightLog`):
    /// what an int8 load packs.
    static func recordHead(_ head: StoredMatrix, loaded: [String: StoredMatrix], in weights: WeightStore) {
        guard let log = weights.linearWeightLog else { return }
        for (key, table) in loaded.sorted(by: { $0.key < $1.key }) where table.isSame(as: head) { log.record(key) }
    }

    static func attentionScale(_ config: ModelConfig, headDim: Int) -> Float {
        config.scaleAttention ? 1 / Float(headDim).squareRoot() : 1
    }

    static func linear(_ scope: WeightScope, _ name: String, in i: Int, out o: Int, _ config: ModelConfig,
                       packing: PackedType? = nil, fusing: PackedType? = nil) throws -> Linear {
        try Linear(scope, name, in: i, out: o, bias: config.linearBias, packing: packing, fusing: fusing)
    }

    /// - Parameter packing: the decoder's weight type, or the encoder's (nil: plain weights on OpenBLAS).
    static func selfAttention(_ scope: WeightScope, _ config: ModelConfig, _ stack: ModelConfig.Stack,
                              packing: PackedType? = nil) throws -> SelfAttention {
        let d = config.dModel, inner = stack.innerDim
        return SelfAttention(
            q: try linear(scope, "q_proj", in: d, out: inner, config, fusing: packing),
            k: try linear(scope, "k_proj", in: d, out: inner, config, fusing: packing),
            v: try linear(scope, "v_proj", in: d, out: inner, config, fusing: packing),
            out: try linear(scope, "out_proj", in: inner, out: d, config, packing: packing),
            heads: stack.heads, headDim: stack.headDim, scale: attentionScale(config, headDim: stack.headDim),
            packing: packing)
    }

    static func crossAttention(_ scope: WeightScope, _ config: ModelConfig, _ stack: ModelConfig.Stack,
                               packing: PackedType, kvPacking: PackedType?) throws -> CrossAttention {
        let d = config.dModel, inner = stack.innerDim
        return CrossAttention(
            q: try linear(scope, "q_proj", in: d, out: inner, config, packing: packing),
            k: try linear(scope, "k_proj", in: d, out: inner, config, fusing: kvPacking),
            v: try linear(scope, "v_proj", in: d, out: inner, config, fusing: kvPacking),
            out: try linear(scope, "out_proj", in: inner, out: d, config, packing: packing),
            heads: stack.heads, headDim: stack.headDim, scale: attentionScale(config, headDim: stack.headDim),
            kvPacking: kvPacking)
    }

    static func feedForward(_ scope: WeightScope, _ config: ModelConfig, _ stack: ModelConfig.Stack,
                            packing: PackedType? = nil) throws -> FeedForward {
        let d = config.dModel
        return FeedForward(fc1: try linear(scope, "fc1", in: d, out: stack.ffnDim, config, packing: packing), gate: nil,
                           fc2: try linear(scope, "fc2", in: stack.ffnDim, out: d, config, packing: packing),
                           activation: config.activation)
    }

    /// The position table of one stack: stored (learned, or a saved sinusoidal table, which
    /// transformers loads when present) or computed.
    static func positions(_ weights: WeightStore, stackKey: String, config: ModelConfig) throws
        -> (table: FloatBuffer?, rows: Int, offset: Int) {
        let d = config.dModel
        switch config.positions {
        case .learned(let offset):
            let rows = config.maxPositions + offset
            return (try weights.buffer(stackKey + ".embed_positions.weight", shape: [rows, d]), rows, offset)
        case .sinusoidalMarian:
            let rows = config.maxPositions
            let key = stackKey + ".embed_positions.weight"
            if weights.contains(key) {
                return (try weights.buffer(key, shape: [rows, d]), rows, 0)
            }
            return (Sinusoidal.marian(positions: rows, dim: d), rows, 0)
        case .sinusoidalFairseq(let paddingIndex):
            // Row p holds position p (fairseq's row padding_idx + 1 + p). Rows past this table are
            // computed on demand (Embeddings), so neither a large max_position_embeddings nor a
            // large pad id makes a large table.
            let rows = min(config.maxPositions, 1024)
            let table = FloatBuffer(count: rows * d)
            let frequencies = Sinusoidal.fairseqFrequencies(dim: d)
            for p in 0..<rows {
                Sinusoidal.fairseqRow(p + paddingIndex + 1, frequencies: frequencies, dim: d,
                                      into: table.pointer + p * d)
            }
            return (table, rows, 0)
        case .relativeBias, .recurrence:
            return (nil, 0, 0)
        }
    }

    /// Builds encoder and decoder of a BART-family checkpoint.
    static func load(config: ModelConfig, weights: WeightStore) throws -> Network {
        let root = prefix(weights)
        let d = config.dModel
        let model = weights.scope(String(root.dropLast()))

        // Token tables, resolved as transformers 5 ties weights: each module uses its own key
        // when the checkpoint has it (tied keys stored with different values are not tied);
        // a missing one falls back to its tie source only when `tie_word_embeddings` is on.
        let tie = config.tiedOutput
        let shared = root + "shared.weight"
        let encoderKey = root + "encoder.embed_tokens.weight", decoderKey = root + "decoder.embed_tokens.weight"
        let vocab = config.decoderVocabSize
        let weightType = config.computeType.decoderWeights, sequenceType = config.computeType.sequenceWeights
        // In a closure so the plain float32 tables are released before the layers load (a reduced
        // compute type packs the head into a new buffer; holding both would raise the peak).
        let tables = try { () throws -> (tables: [Linear.Weight], head: Linear.Weight) in
            var loaded: [String: StoredMatrix] = [:]
            let encoderTokens = try firstPresent(
                weights, [encoderKey] + (tie && config.sharedEmbeddings ? [shared, decoderKey] : []),
                shape: [config.vocabSize, d], loaded: &loaded)
            let decoderTokens = try firstPresent(
                weights, [decoderKey] + (tie && config.sharedEmbeddings ? [shared, encoderKey] : []),
                shape: [config.decoderVocabSize, d], loaded: &loaded)
            let headBuffer = weights.contains("lm_head.weight") || !tie
                ? try firstPresent(weights, ["lm_head.weight"], shape: [vocab, d], loaded: &loaded) : decoderTokens
            recordHead(headBuffer, loaded: loaded, in: weights)
            return Linear.Weight.tokenTables([encoderTokens, decoderTokens], head: headBuffer, vocab: vocab, dim: d,
                                             type: weightType)
        }()
        func embeddings(_ stack: String, tokens: Linear.Weight, vocab: Int) throws -> Embeddings {
            let p = try positions(weights, stackKey: root + stack, config: config)
            let norm = config.layernormEmbedding
                ? try Norm(model.scope(stack), "layernorm_embedding", dim: d, config: config) : nil
            var fairseqPadding: Int? = nil
            if case .sinusoidalFairseq(let paddingIndex) = config.positions { fairseqPadding = paddingIndex }
            return Embeddings(tokens: tokens, vocabSize: vocab, dim: d, scale: config.embedScale,
                              positions: p.table, positionRows: p.rows, positionOffset: p.offset, norm: norm,
                              fairseqPaddingIndex: fairseqPadding)
        }

        let encoderScope = model.scope("encoder")
        let encoderLayers = try (0..<config.encoder.layers).map { i -> EncoderLayer in
            let s = encoderScope.scope("layers.\(i)")
            return EncoderLayer(
                selfAttention: try selfAttention(s.scope("self_attn"), config, config.encoder, packing: sequenceType),
                selfAttentionNorm: try Norm(s, "self_attn_layer_norm", dim: d, config: config),
                feedForward: try feedForward(s, config, config.encoder, packing: sequenceType),
                finalNorm: try Norm(s, "final_layer_norm", dim: d, config: config),
                preNorm: config.preNorm)
        }
        let encoder = Encoder(
            embeddings: try embeddings("encoder", tokens: tables.tables[0], vocab: config.vocabSize),
            layers: encoderLayers,
            finalNorm: config.finalLayerNorm ? try Norm(encoderScope, "layer_norm", dim: d, config: config) : nil,
            positionBias: nil, dim: d)

        let decoderScope = model.scope("decoder")
        let decoderLayers = try (0..<config.decoder.layers).map { i -> DecoderLayer in
            let s = decoderScope.scope("layers.\(i)")
            return DecoderLayer(
                selfAttention: try selfAttention(s.scope("self_attn"), config, config.decoder, packing: weightType),
                selfAttentionNorm: try Norm(s, "self_attn_layer_norm", dim: d, config: config),
                crossAttention: try crossAttention(s.scope("encoder_attn"), config, config.decoder, packing: weightType,
                                                   kvPacking: sequenceType),
                crossAttentionNorm: try Norm(s, "encoder_attn_layer_norm", dim: d, config: config),
                feedForward: try feedForward(s, config, config.decoder, packing: weightType),
                finalNorm: try Norm(s, "final_layer_norm", dim: d, config: config),
                preNorm: config.preNorm)
        }

        let lmHead = Linear(storage: tables.head, bias: nil, inFeatures: d, outFeatures: vocab)
        var logitsBias: FloatBuffer? = nil
        if config.finalLogitsBias, weights.contains("final_logits_bias") {
            // transformers treats a missing final_logits_bias as zeros.
            logitsBias = try weights.buffer("final_logits_bias", shape: [1, vocab])
        }
        let decoder = Decoder(
            embeddings: try embeddings("decoder", tokens: tables.tables[1], vocab: vocab),
            layers: decoderLayers,
            finalNorm: config.finalLayerNorm ? try Norm(decoderScope, "layer_norm", dim: d, config: config) : nil,
            positionBias: nil, lmHead: lmHead, finalLogitsBias: logitsBias, outputScale: config.outputScale, dim: d)
        return .transformer(encoder, decoder)
    }
}
