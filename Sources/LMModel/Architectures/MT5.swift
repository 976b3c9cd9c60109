/// mT5 (transformers' MT5ForConditionalGeneration): T5 v1.1's computation with mT5's config
/// defaults (gated-gelu, a 250112-token vocabulary). Unlike T5, transformers 5.23 never scales
/// mT5's decoder output, whatever `tie_word_embeddings` or `scale_decoder_outputs` say, and
/// always ties the lm head to `shared` unless the checkpoint stores a different `lm_head.weight`.
package enum MT5: Architecture {
    package static let modelTypes = ["mt5"]

    package static func config(from file: ConfigFile) throws -> ModelConfig {
        try T5.t5Like(file, modelType: "mt5",
                      defaults: T5.Defaults(vocab: 250112, ffn: 1024, layers: 8, heads: 6, feedForward: "gated-gelu",
                                            start: 0),
                      scaleDecoderOutputs: false)
    }

    package static func load(config: ModelConfig, weights: WeightStore) throws -> Network {
        try T5Loader.load(config: config, weights: weights)
    }
}
