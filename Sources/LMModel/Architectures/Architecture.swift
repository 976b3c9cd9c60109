import LMInput

/// What each architecture file provides: how its config.json maps to `ModelConfig`, and how
/// its checkpoint keys become layers.

package protocol Architecture {
    /// The config.json `model_type` values this architecture handles.
    static var modelTypes: [String] { get }
    /// Maps the checkpoint's config.json to the computation it describes; rejects options the
    /// engine does not implement with `InputError.unsupported` naming them.
    static func config(from file: ConfigFile) throws -> ModelConfig
    /// Builds the network from the checkpoint's tensors.
    static func load(config: ModelConfig, weights: WeightStore) throws -> Network
}

/// The architectures lmcore runs, by model_type.
package enum Architectures {
    package static let all: [any Architecture.Type] = [Marian.self, Bart.self, MBart.self, T5.self, MT5.self,
                                                        M2M100.self, Pegasus.self, RNNSeq2Seq.self]

    package static func named(_ modelType: String) -> (any Architecture.Type)? {
        all.first { $0.modelTypes.contains(modelType) }
    }

    package static var supportedModelTypes: [String] { all.flatMap { $0.modelTypes } }
}
