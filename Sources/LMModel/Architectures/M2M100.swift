import LMInput

/// M2M100 and NLLB-200 (transformers' M2M100ForConditionalGeneration, model_type "m2m_100"):
/// pre-LN layers with a final layer norm after each stack, scaled embeddings, no
/// layernorm_embedding and no final_logits_bias, and fairseq's sinusoidal positions, which are
/// padding-aware: pad tokens get a zero row and do not count, the others start at
/// pad_token_id + 1 (see `Embeddings.fairseqPaddingIndex`). Decoding starts from
/// decoder_start_token_id (EOS); the target language is forced by `forced_bos_token_id` from
/// generation_config.json, which search applies. (NLLB-MoE, model_type "nllb_moe", is another
/// architecture and is not supported.)

package enum M2M100: Architecture {
    package static let modelTypes = ["m2m_100"]

    package static func config(from file: ConfigFile) throws -> ModelConfig {
        let d = try file.requiredInt("d_model")
        let (encoder, decoder) = try BartFamily.stacks(file, dModel: d)
        let vocab = try file.requiredInt("vocab_size")
        let ids = try BartFamily.specialIds(file, defaults: (pad: 1, eos: 2, bos: 0, start: 2))
        guard ids.pad >= 0 else {
            throw InputError.format("\(file.path): pad_token_id \(ids.pad) cannot index the position table")
        }
        return ModelConfig(
            modelType: "m2m_100", dModel: d, encoder: encoder, decoder: decoder, vocabSize: vocab,
            decoderVocabSize: vocab, activation: try BartFamily.activation(file, default: "relu"),
            preNorm: true,
            embedScale: try file.bool("scale_embedding", default: true) ? Float(d).squareRoot() : 1,
            positions: .sinusoidalFairseq(paddingIndex: ids.pad),
            maxPositions: try file.int("max_position_embeddings", default: 1024, minimum: 1),
            layernormEmbedding: false, finalLayerNorm: true, finalLogitsBias: false,
            sharedEmbeddings: true, tiedOutput: try file.bool("tie_word_embeddings", default: true),
            padTokenId: ids.pad, eosTokenIds: ids.eos, bosTokenId: ids.bos, decoderStartTokenId: ids.start)
    }

    package static func load(config: ModelConfig, weights: WeightStore) throws -> Network {
        try BartFamily.load(config: config, weights: weights)
    }
}
