/// Marian / OPUS-MT (transformers' MarianMTModel): post-LN, fixed sinusoidal positions (sin and
/// cos halves, not interleaved), scaled embeddings, final_logits_bias; decoding starts from
/// the pad token. `share_encoder_decoder_embeddings: false` gives the decoder its own
/// vocabulary of `decoder_vocab_size`.
package enum Marian: Architecture {
    package static let modelTypes = ["marian"]

    package static func config(from file: ConfigFile) throws -> ModelConfig {
        let d = try file.requiredInt("d_model")
        let (encoder, decoder) = try BartFamily.stacks(file, dModel: d)
        let vocab = try file.requiredInt("vocab_size")
        let shared = try file.bool("share_encoder_decoder_embeddings", default: true)
        // As MarianMTModel: with shared embeddings the decoder (and logits) use vocab_size.
        let decoderVocab = shared ? vocab : (try file.int("decoder_vocab_size") ?? vocab)
        let ids = try BartFamily.specialIds(file, defaults: (pad: 58100, eos: 0, bos: nil, start: 58100))
        return ModelConfig(
            modelType: "marian", dModel: d, encoder: encoder, decoder: decoder, vocabSize: vocab,
            decoderVocabSize: decoderVocab, activation: try BartFamily.activation(file, default: "gelu"),
            preNorm: false,
            embedScale: try file.bool("scale_embedding", default: false) ? Float(d).squareRoot() : 1,
            positions: .sinusoidalMarian,
            maxPositions: try file.int("max_position_embeddings", default: 1024, minimum: 1),
            layernormEmbedding: false, finalLayerNorm: false, finalLogitsBias: true,
            sharedEmbeddings: shared, tiedOutput: try file.bool("tie_word_embeddings", default: true),
            padTokenId: ids.pad, eosTokenIds: ids.eos, bosTokenId: ids.bos, decoderStartTokenId: ids.start)
    }

    package static func load(config: ModelConfig, weights: WeightStore) throws -> Network {
        try BartFamily.load(config: config, weights: weights)
    }
}
