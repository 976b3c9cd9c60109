import LMTensor
import LMInput

/// Builds T5 and mT5 stacks from their checkpoint layout:
/// `{encoder,decoder}.block.N.layer.0.SelfAttention.{q,k,v,o}`, `layer.0.layer_norm`, the
/// decoder's `layer.1.EncDecAttention` / `layer.1.layer_norm`, the feed-forward
/// `layer.{1|2}.DenseReluDense.{wi | wi_0, wi_1, wo}` / `layer.{1|2}.layer_norm`,
/// `{encoder,decoder}.final_layer_norm`, `shared`, `lm_head`; the relative attention bias in
/// `block.0.layer.0.SelfAttention.relative_attention_bias`.
enum T5Loader {
    static func load(config: ModelConfig, weights: WeightStore) throws -> Network {
        guard case .relativeBias(let buckets, let maxDistance) = config.positions else {
            throw InputError.unsupported("\(config.modelType): T5 layers need relative position bias")
        }
        let d = config.dModel
        let root = weights.scope("")

        // Token tables resolved as transformers 5 ties them (every one is tied to `shared`, which
        // T5 always ties): a module uses its own key when the checkpoint has it, else `shared`,
        // else another table tied to it. A stored lm_head with its own values stays untied.
        let weightType = config.computeType.decoderWeights, sequenceType = config.computeType.sequenceWeights
        // In a closure so the plain float32 tables are released before the layers load.
        let tables = try { () throws -> (tables: [Linear.Weight], head: Linear.Weight) in
            var loaded: [String: StoredMatrix] = [:]
            let shape = [config.vocabSize, d]
            let encoderTokens = try BartFamily.firstPresent(
                weights, ["encoder.embed_tokens.weight", "shared.weight", "decoder.embed_tokens.weight"],
                shape: shape, loaded: &loaded)
            let decoderTokens = try BartFamily.firstPresent(
                weights, ["decoder.embed_tokens.weight", "shared.weight", "encoder.embed_tokens.weight"],
                shape: shape, loaded: &loaded)
            let head = try BartFamily.firstPresent(
                weights, ["lm_head.weight", "shared.weight", "encoder.embed_tokens.weight", "decoder.embed_tokens.weight"],
                shape: shape, loaded: &loaded)
            BartFamily.recordHead(head, loaded: loaded, in: weights)
            return Linear.Weight.tokenTables([encoderTokens, decoderTokens], head: head,
                                             vocab: config.decoderVocabSize, dim: d, type: weightType)
        }()
        func embeddings(_ tokens: Linear.Weight) -> Embeddings {
            Embeddings(tokens: tokens, vocabSize: config.vocabSize, dim: d, scale: 1, positions: nil,
                       positionRows: 0, positionOffset: 0, norm: nil)
        }
        func norm(_ scope: WeightScope, _ name: String) throws -> Norm {
            try Norm(scope, name, dim: d, config: config)
        }
        func bias(_ stack: WeightScope, _ s: ModelConfig.Stack, bidirectional: Bool) throws -> RelativePositionBias? {
            guard s.layers > 0 else { return nil }
            let table = try stack.tensor("block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                                         shape: [buckets, s.heads])
            return try RelativePositionBias(weights: table, heads: s.heads, bidirectional: bidirectional,
                                            numBuckets: buckets, maxDistance: maxDistance)
        }

        let encoderScope = root.scope("encoder")
        let encoderLayers = try (0..<config.encoder.layers).map { i -> EncoderLayer in
            let block = encoderScope.scope("block.\(i).layer")
            return EncoderLayer(
                selfAttention: try selfAttention(block.scope("0.SelfAttention"), config, config.encoder,
                                                 packing: sequenceType),
                selfAttentionNorm: try norm(block, "0.layer_norm"),
                feedForward: try feedForward(block.scope("1.DenseReluDense"), config, config.encoder,
                                             packing: sequenceType),
                finalNorm: try norm(block, "1.layer_norm"),
                preNorm: true)
        }
        let encoder = Encoder(
            embeddings: embeddings(tables.tables[0]), layers: encoderLayers,
            finalNorm: try norm(encoderScope, "final_layer_norm"),
            positionBias: try bias(encoderScope, config.encoder, bidirectional: true), dim: d)

        let decoderScope = root.scope("decoder")
        let decoderLayers = try (0..<config.decoder.layers).map { i -> DecoderLayer in
            let block = decoderScope.scope("block.\(i).layer")
            let cross = try attentionProjections(block.scope("1.EncDecAttention"), config, config.decoder,
                                                 packQ: weightType, packO: weightType, fuseKV: sequenceType)
            return DecoderLayer(
                selfAttention: try selfAttention(block.scope("0.SelfAttention"), config, config.decoder,
                                                 packing: weightType),
                selfAttentionNorm: try norm(block, "0.layer_norm"),
                crossAttention: CrossAttention(q: cross.q, k: cross.k, v: cross.v, out: cross.o,
                                               heads: config.decoder.heads, headDim: config.decoder.headDim, scale: 1,
                                               kvPacking: sequenceType),
                crossAttentionNorm: try norm(block, "1.layer_norm"),
                feedForward: try feedForward(block.scope("2.DenseReluDense"), config, config.decoder,
                                             packing: weightType),
                finalNorm: try norm(block, "2.layer_norm"),
                preNorm: true)
        }
        let decoder = Decoder(
            embeddings: embeddings(tables.tables[1]), layers: decoderLayers,
            finalNorm: try norm(decoderScope, "final_layer_norm"),
            positionBias: try bias(decoderScope, config.decoder, bidirectional: false),
            lmHead: Linear(storage: tables.head, bias: nil, inFeatures: d, outFeatures: config.decoderVocabSize),
            finalLogitsBias: nil, outputScale: config.outputScale, dim: d)
        return .transformer(encoder, decoder)
    }

    /// q, k, v (inner, D) and o (D, inner), without biases; `packQ` / `packO` pack those two as
    /// they load (the decoder's per-step projections); k and v (and q when not packed) are fused
    /// later and packed as `fuseKV` (`fuseQ`), or not.
    static func attentionProjections(_ scope: WeightScope, _ config: ModelConfig, _ stack: ModelConfig.Stack,
                                     packQ: PackedType? = nil, packO: PackedType? = nil, fuseQ: PackedType? = nil,
                                     fuseKV: PackedType? = nil) throws
        -> (q: Linear, k: Linear, v: Linear, o: Linear) {
        let d = config.dModel, inner = stack.innerDim
        return (try Linear(scope, "q", in: d, out: inner, bias: false, packing: packQ, fusing: fuseQ),
                try Linear(scope, "k", in: d, out: inner, bias: false, fusing: fuseKV),
                try Linear(scope, "v", in: d, out: inner, bias: false, fusing: fuseKV),
                try Linear(scope, "o", in: inner, out: d, bias: false, packing: packO))
    }

    /// T5 does not scale attention scores (the scaling is folded into its initialisation).
    /// - Parameter packing: the decoder's weight type, or the encoder's (nil: plain weights on OpenBLAS).
    static func selfAttention(_ scope: WeightScope, _ config: ModelConfig, _ stack: ModelConfig.Stack,
                              packing: PackedType? = nil) throws -> SelfAttention {
        let p = try attentionProjections(scope, config, stack, packO: packing, fuseQ: packing, fuseKV: packing)
        return SelfAttention(q: p.q, k: p.k, v: p.v, out: p.o, heads: stack.heads, headDim: stack.headDim, scale: 1,
                             packing: packing)
    }

    /// T5DenseActDense (wi, wo) or T5DenseGatedActDense (act(wi_0·x) ⊙ wi_1·x, then wo).
    static func feedForward(_ scope: WeightScope, _ config: ModelConfig, _ stack: ModelConfig.Stack,
                            packing: PackedType? = nil) throws -> FeedForward {
        let d = config.dModel, f = stack.ffnDim
        let wo = try Linear(scope, "wo", in: f, out: d, bias: false, packing: packing)
        if config.gatedFeedForward {
            return FeedForward(fc1: try Linear(scope, "wi_0", in: d, out: f, bias: false, packing: packing),
                               gate: try Linear(scope, "wi_1", in: d, out: f, bias: false, packing: packing),
                               fc2: wo, activation: config.activation)
        }
        return FeedForward(fc1: try Linear(scope, "wi", in: d, out: f, bias: false, packing: packing), gate: nil,
                           fc2: wo, activation: config.activation)
    }
}
