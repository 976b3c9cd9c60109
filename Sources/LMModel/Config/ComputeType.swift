import LMTensor

/// How a model's weights are stored and computed, chosen at load (`compute_type`).
///
/// float16 and int8_float32 apply to the products a decoding step runs (self- and cross-attention
/// projections, feed-forward, the lm head, and a token table tied to the head): with 1-256 rows per
/// step they are bound by the bytes of weight they stream, so halving or quartering those bytes is
/// what speeds them up. In those types the encoder and the cross-attention keys/values (hundreds of
/// rows per call, bound by arithmetic) stay float32 on OpenBLAS; int8 packs them too
/// (`sequenceWeights`). float16 and int8_float32 widen the
/// weights to float32 in registers (the arithmetic is float32); int8 multiplies int8 weights by
/// activations quantized to int8 at each product, in int32 (AVX-512 VNNI), which is faster where
/// the products are bound by arithmetic (many rows per step) at the cost of activation rounding.
package enum ComputeType: String, Sendable, CaseIterable, Equatable {
    case float32
    /// Decoder weights in IEEE half precision.
    case float16
    /// Decoder weights in int8 with one float32 scale per output feature; activations float32.
    case int8Float32 = "int8_float32"
    /// int8 weights and int8 activations (quantized per row at each product), int32 accumulation:
    /// CTranslate2's int8. Where the CPU lacks VNNI it runs as int8_float32 (same stored weights).
    case int8

    /// The type a load gets on this CPU: int8 becomes int8_float32 without the integer kernels,
    /// and every type float32 without the packed kernels.
    package var effective: ComputeType {
        guard Kernels.packed else { return .float32 }
        return self == .int8 && !Kernels.integerProducts ? .int8Float32 : self
    }

    /// How the products over whole sequences (the encoder's layers and the cross-attention keys and
    /// values, hundreds of rows per call) are packed: int8 integer products where this CPU has them
    /// (2-3x OpenBLAS float32 there), else nil: plain float32 weights on OpenBLAS, which is faster
    /// than any float-arithmetic packed kernel at those sizes.
    package var sequenceWeights: PackedType? { effective == .int8 ? .int8Compute : nil }

    package var decoderWeights: PackedType {
        switch self {
        case .float32: return .float32
        case .float16: return .float16
        case .int8Float32: return .int8
        case .int8: return .int8Compute
        }
    }
}
