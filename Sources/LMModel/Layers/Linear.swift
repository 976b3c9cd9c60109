import LMTensor

/// A linear layer y = x·Wᵀ + b. The weight is either the checkpoint's (out, in) layout, multiplied
/// by OpenBLAS (the encoder and the cross-attention keys/values: hundreds of rows per call), or
/// packed once, as it loads (`packing:`), for lmcore's own kernels: the decoder's per-step products
/// of 1-256 rows, where OpenBLAS's per-call packing costs as much as the arithmetic (and, in int8,
/// every product: `ComputeType.sequenceWeights`).
package struct Linear: Sendable {
    package enum Weight: Sendable {
        case plain(FloatBuffer)
        case packed(PackedMatrix)

        /// Whether both are one stored table (tied weights), not merely equal values.
        package func isSame(as other: Weight) -> Bool {
            switch (self, other) {
            case (.plain(let a), .plain(let b)): return a === b
            case (.packed(let a), .packed(let b)): return a === b
            default: return false
            }
        }

        /// A weight buffer the caller has just made and holds alone, packed as `type` (float32 in
        /// place) when given and the CPU has the kernels, else plain.
        package static func packing(_ buffer: FloatBuffer, outFeatures n: Int, inFeatures k: Int,
                                    as type: PackedType?) -> Weight {
            guard let type else { return .plain(buffer) }
            let packed = type == .float32
                ? PackedMatrix(packingInPlace: buffer, outFeatures: n, inFeatures: k)
                : PackedMatrix(weight: buffer.pointer, outFeatures: n, inFeatures: k, type: type)
            return packed.map { .packed($0) } ?? .plain(buffer)
        }

        /// The token tables of a model whose lm head is `head` (vocab, dim): a table that is the head's
        /// own buffer (tied embeddings) becomes the packed head, so the model keeps one copy; the
        /// others stay plain.
        /// The head is packed in place (it is the largest matrix; a copy would raise the load's peak
        /// memory by its size), which is safe because every table that is its buffer is replaced here.
        /// Reduced types are packed into a new, smaller buffer; the plain head is released with the
        /// loader's references.
        package static func tokenTables(_ tables: [FloatBuffer], head: FloatBuffer, vocab: Int, dim: Int,
                                        type: PackedType) -> (tables: [Weight], head: Weight) {
            let packed = packing(head, outFeatures: vocab, inFeatures: dim, as: type)
            return (tables.map { $0 === head ? packed : .plain($0) }, packed)
        }
    }

    package let storage: Weight
    package let bias: FloatBuffer?
    package let inFeatures: Int
    package let outFeatures: Int

    package init(weight: FloatBuffer, bias: FloatBuffer?, inFeatures: Int, outFeatures: Int) {
        self.storage = .plain(weight)
        self.bias = bias
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
    }

    package init(storage: Weight, bias: FloatBuffer?, inFeatures: Int, outFeatures: Int) {
        self.storage = storage
        self.bias = bias
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
    }

    /// The (out, in) weight as the checkpoint stores it; nil once packed.
    package var weight: FloatBuffer? {
        if case .plain(let w) = storage { return w }
        return nil
    }

    /// The same weight with another bias.
    package func replacingBias(_ bias: FloatBuffer?) -> Linear {
        Linear(storage: storage, bias: bias, inFeatures: inFeatures, outFeatures: outFeatures)
    }

    /// Loads `<name>.weight` (out, in) and, when `bias`, `<name>.bias` (out); with `packing`, packs
    /// the weight as it is loaded (in place for float32: the buffer was just made, so nothing else
    /// holds it, and the layer's weight never exists twice).
    package init(_ scope: WeightScope, _ name: String, in inFeatures: Int, out outFeatures: Int,
                bias: Bool, packing: PackedType? = nil) throws {
        self.init(packing: try scope.buffer(name + ".weight", shape: [outFeatures, inFeatures]),
                  bias: bias ? try scope.buffer(name + ".bias", shape: [outFeatures]) : nil,
                  inFeatures: inFeatures, outFeatures: outFeatures, as: packing)
    }

    /// A weight buffer the caller has just made (out, in), packed as `type` when given
    /// (`Weight.packing`: in place for float32).
    package init(packing weight: FloatBuffer, bias: FloatBuffer?, inFeatures: Int, outFeatures: Int, as type: PackedType?) {
        self.init(storage: .packing(weight, outFeatures: outFeatures, inFeatures: inFeatures, as: type), bias: bias,
                  inFeatures: inFeatures, outFeatures: outFeatures)
    }

    /// Stacks layers with the same input into one (their outputs side by side), so that e.g.
    /// q, k and v projections run as a single GEMM; with `packing`, the new stacked weight is packed
    /// (in place for float32, as it was just made).
    package static func fused(_ parts: [Linear], packing: PackedType? = nil) -> Linear {
        let inFeatures = parts.first?.inFeatures ?? 0
        let outFeatures = parts.reduce(0) { $0 + $1.outFeatures }
        let weight = FloatBuffer(count: outFeatures * inFeatures, zeroed: false)
        let hasBias = parts.contains { $0.bias != nil }
        let bias = hasBias ? FloatBuffer(count: outFeatures) : nil
        var row = 0
        for p in parts {
            p.copyWeight(into: weight.pointer + row * inFeatures)
            if let bias, let pb = p.bias {
                (bias.pointer + row).update(from: pb.pointer, count: p.outFeatures)
            }
            row += p.outFeatures
        }
        return Linear(packing: weight, bias: bias, inFeatures: inFeatures, outFeatures: outFeatures, as: packing)
    }

    /// Writes the (out, in) weight row-major to `out`.
    private func copyWeight(into out: UnsafeMutablePointer<Float>) {
        switch storage {
        case .plain(let w): out.update(from: w.pointer, count: outFeatures * inFeatures)
        case .packed(let p): p.unpack(into: out)
        }
    }

    /// y(rows, out) = x(rows, in)·Wᵀ + b.
    @inlinable
    package func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        let b = bias.map { UnsafePointer($0.pointer) }
        switch storage {
        case .plain(let w):
            MatMul.linear(x, rows: rows, inFeatures: inFeatures, weight: w.pointer, outFeatures: outFeatures,
                          bias: b, into: y)
        case .packed(let p):
            p.linear(x, rows: rows, bias: b, into: y)
        }
    }

    package var parameterCount: Int { outFeatures * inFeatures + (bias?.count ?? 0) }
}
