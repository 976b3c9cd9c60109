import LMTensor

/// A layer normalisation of the model's kind: nn.LayerNorm (weight and bias) or T5LayerNorm
/// (RMS, weight only).
package struct Norm: Sendable {
    package let weight: FloatBuffer
    package let bias: FloatBuffer?
    package let epsilon: Float
    package let dim: Int

    /// Loads `<name>.weight` (and `<name>.bias` for layer norm).
    package init(_ scope: WeightScope, _ name: String, dim: Int, config: ModelConfig) throws {
        weight = try scope.buffer(name + ".weight", shape: [dim])
        switch config.normalization {
        case .layerNorm:
            bias = try scope.buffer(name + ".bias", shape: [dim])
        case .rmsNorm:
            bias = nil
        }
        epsilon = config.normEpsilon
        self.dim = dim
    }

    /// Normalises `rows` rows of `dim` values; `y` may alias `x`.
    @inlinable
    package func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        if let bias {
            LayerNorm.forward(x, rows: rows, n: dim, gamma: weight.pointer, beta: bias.pointer,
                              eps: epsilon, into: y)
        } else {
            RMSNorm.forward(x, rows: rows, n: dim, gamma: weight.pointer, eps: epsilon, into: y)
        }
    }

    package var parameterCount: Int { weight.count + (bias?.count ?? 0) }
}
