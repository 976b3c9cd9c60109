import LMTensor

/// How a model's weights are stored and computed, chosen at load (`compute_type`).
///
/// float16 and int8_float32 apply to the products a decoding step runs (self- and cross-attention
/// projections, feed-forward, the lm head, and a token table tied to the head): with 1-256 rows per
/// step they are bound by the bytes of weight they stream, so halving or quartering those bytes is
/// what speeds them up. In those types the encoder and the cross-attention keys/values (a call's
/// whole source: from a few rows at batch 1 to thousands) stay float32, packed; int8 packs them as
/// int8 (`sequenceWeights`). float16 and int8_float32 widen the
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
    /// values) are packed: int8 integer products where this CPU has them, else float32 panels.
    /// These were plain weights on OpenBLAS, chosen by a kernel microbenchmark at 1,024 rows; in
    /// generation the packed encoder measured 2.8-3.6x faster at batch 1 (22-id sources: OpenBLAS
    /// packs its operands on every call, and its spinning threads share the two cores with the
    /// kernels' pool) and 1.2-1.5x at batch 32 (flan-t5-small, AVX-512, interleaved A/B with niced
    /// fuzzers running). nil (plain OpenBLAS) only where the packed kernels do not run.
    package var sequenceWeights: PackedType? {
        guard Kernels.packed else { return nil }
        return effective == .int8 ? .int8Compute : .float32
    }

    package var decoderWeights: PackedType {
        switch self {
        case .float32: return .float32
        case .float16: return .float16
        case .int8Float32: return .int8
        case .int8: return .int8Compute
        }
    }
}
