/// BART (transformers' BartForConditionalGeneration): post-LN, learned positions read at
/// position + 2, a layer norm on the embeddings, final_logits_bias, one shared vocabulary.
/// Legacy config fields such as `normalize_before` or `add_final_layer_norm` are ignored, as
/// transformers ignores them: the model class, not the field, decides.
package enum Bart: Architecture {
    package static let modelTypes = ["bart"]

    package static func config(from file: ConfigFile) throws -> ModelConfig {
        try bartLike(file, modelType: "bart", preNorm: false, finalLayerNorm: false)
    }

    package static func load(config: ModelConfig, weights: WeightStore) throws -> Network {
        try BartFamily.load(config: config, weights: weights)
    }

    /// The config mapping BART and mBART share; they differ in where the norms sit.
    static func bartLike(_ file: ConfigFile, modelType: String, preNorm: Bool, finalLayerNorm: Bool) throws
        -> ModelConfig {
        let d = try file.requiredInt("d_model")
        let (encoder, decoder) = try BartFamily.stacks(file, dModel: d)
        let vocab = try file.requiredInt("vocab_size")
        let ids = try BartFamily.specialIds(file, defaults: (pad: 1, eos: 2, bos: 0, start: nil))
        return ModelConfig(
            modelType: modelType, dModel: d, encoder: encoder, decoder: decoder, vocabSize: vocab,
            decoderVocabSize: vocab, activation: try BartFamily.activation(file, default: "gelu"),
            preNorm: preNorm,
            embedScale: try file.bool("scale_embedding", default: false) ? Float(d).squareRoot() : 1,
            positions: .learned(offset: 2),
            maxPositions: try file.int("max_position_embeddings", default: 1024, minimum: 1),
            layernormEmbedding: true, finalLayerNorm: finalLayerNorm, finalLogitsBias: true,
            sharedEmbeddings: true, tiedOutput: try file.bool("tie_word_embeddings", default: true),
            padTokenId: ids.pad, eosTokenIds: ids.eos, bosTokenId: ids.bos, decoderStartTokenId: ids.start)
    }
}
