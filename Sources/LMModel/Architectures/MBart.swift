/// mBART (transformers' MBartForConditionalGeneration): BART with pre-LN layers and a final
/// layer norm after each stack. The target language is chosen by `forced_bos_token_id`
/// (generation_config.json), which search applies.
package enum MBart: Architecture {
    package static let modelTypes = ["mbart"]

    package static func config(from file: ConfigFile) throws -> ModelConfig {
        try Bart.bartLike(file, modelType: "mbart", preNorm: true, finalLayerNorm: true)
    }

    package static func load(config: ModelConfig, weights: WeightStore) throws -> Network {
        try BartFamily.load(config: config, weights: weights)
    }
}
