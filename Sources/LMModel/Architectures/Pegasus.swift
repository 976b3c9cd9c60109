/// Pegasus (transformers' PegasusForConditionalGeneration): pre-LN layers with a final layer
/// norm after each stack, Marian's sinusoidal positions (PegasusSinusoidalPositionalEmbedding is
/// Marian's: sin and cos halves, position = step, loaded from the checkpoint when stored),
/// optionally scaled embeddings, no layernorm_embedding, a final_logits_bias, and decoding from
/// the pad token (decoder_start_token_id 0). (Pegasus-X, model_type "pegasus_x", is another
/// architecture and is not supported.)
package enum Pegasus: Architecture {
    package static let modelTypes = ["pegasus"]

    package static func config(from file: ConfigFile) throws -> ModelConfig {
        let d = try file.requiredInt("d_model")
        let (encoder, decoder) = try BartFamily.stacks(file, dModel: d)
        let vocab = try file.requiredInt("vocab_size")
        let ids = try BartFamily.specialIds(file, defaults: (pad: 0, eos: 1, bos: nil, start: 0))
        return ModelConfig(
            modelType: "pegasus", dModel: d, encoder: encoder, decoder: decoder, vocabSize: vocab,
            decoderVocabSize: vocab, activation: try BartFamily.activation(file, default: "gelu"),
            preNorm: true,
            embedScale: try file.bool("scale_embedding", default: false) ? Float(d).squareRoot() : 1,
            positions: .sinusoidalMarian,
            maxPositions: try file.int("max_position_embeddings", default: 1024, minimum: 1),
            layernormEmbedding: false, finalLayerNorm: true, finalLogitsBias: true,
            sharedEmbeddings: true, tiedOutput: try file.bool("tie_word_embeddings", default: true),
            padTokenId: ids.pad, eosTokenIds: ids.eos, bosTokenId: ids.bos, decoderStartTokenId: ids.start)
    }

    package static func load(config: ModelConfig, weights: WeightStore) throws -> Network {
        try BartFamily.load(config: config, weights: weights)
    }
}
