import LMTensor

/// How a model's decoder weights are stored and computed, chosen at load (`compute_type`).
///
/// Reduced types apply to the products a decoding step runs (self- and cross-attention
/// projections, feed-forward, the lm head, and a token table tied to the head): with 1-256 rows per
/// step they are bound by the bytes of weight they stream, so halving or quartering those bytes is
/// what speeds them up. The encoder and the cross-attention keys/values (hundreds of rows per call,
/// bound by arithmetic) stay float32 on OpenBLAS in every type. The arithmetic is float32
/// throughout: the CPUs these kernels serve (AVX2+FMA) have no faster float16 or int8 dot product
/// that keeps float32's accumulation.
package enum ComputeType: String, Sendable, CaseIterable, Equatable {
    case float32
    /// Decoder weights in IEEE half precision.
    case float16
    /// Decoder weights in int8 with one float32 scale per output feature; activations float32.
    case int8Float32 = "int8_float32"

    package var decoderWeights: PackedType {
        switch self {
        case .float32: return .float32
        case .float16: return .float16
        case .int8Float32: return .int8
        }
    }
}
