import LMTensor

/// A linear layer y = x·Wᵀ + b. The weight is packed once, as it loads (`packing:`), for lmcore's
/// own kernels wherever they run: the decoder's per-step products of 1-256 rows (where OpenBLAS's
/// per-call packing costs as much as the arithmetic) in the compute type's decoder weights, the
/// encoder and cross-attention keys/values in `ComputeType.sequenceWeights`. A plain (out, in)
/// weight on OpenBLAS remains where the packed kernels do not run (no AVX2+FMA+F16C).
package struct Linear: Sendable {
    package enum Weight: Sendable {
        case plain(FloatBuffer)
        case packed(PackedMatrix)
        /// Stored int8 rows not yet packed: a part the loader will fuse with others and pack as int8
        /// (`Linear.fused`), so the stored values are packed as they are. Run directly only as a
        /// fallback (dequantized at each call).
        case int8Rows(Int8Matrix)

        /// Whether both are one stored table (tied weights), not merely equal values.
        package func isSame(as other: Weight) -> Bool {
            switch (self, other) {
            case (.plain(let a), .plain(let b)): return a === b
            case (.packed(let a), .packed(let b)): return a === b
            case (.int8Rows(let a), .int8Rows(let b)): return a === b
            default: return false
            }
        }

        /// A matrix as the checkpoint stores it, packed as `type` when given: stored int8 rows as they
        /// are (no second quantization) when `type` is an int8 type, else as float32 (`packing`).
        package static func packing(_ matrix: StoredMatrix, outFeatures n: Int, inFeatures k: Int,
                                    as type: PackedType?) -> Weight {
            if case .int8(let rows) = matrix, let type, type == .int8 || type == .int8Compute {
                let packed = rows.withValues { values in
                    PackedMatrix(int8Rows: values, scales: rows.scales.pointer, outFeatures: n, inFeatures: k, type: type)
                }
                rows.release()
                if let packed { return .packed(packed) }
            }
            return packing(matrix.floatBuffer, outFeatures: n, inFeatures: k, as: type)
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
        package static func tokenTables(_ tables: [StoredMatrix], head: StoredMatrix, vocab: Int, dim: Int,
                                        type: PackedType) -> (tables: [Weight], head: Weight) {
            let packed = packing(head, outFeatures: vocab, inFeatures: dim, as: type)
            return (tables.map { $0.isSame(as: head) ? packed : .plain($0.floatBuffer) }, packed)
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
    /// holds it, and the layer's weight never exists twice; stored int8 rows as they are).
    /// - Parameter fusing: the type the caller will pack this layer as after fusing it with others
    ///   (`Linear.fused`); stored int8 rows are then kept as rows for an int8 type.
    package init(_ scope: WeightScope, _ name: String, in inFeatures: Int, out outFeatures: Int,
                bias: Bool, packing: PackedType? = nil, fusing: PackedType? = nil) throws {
        let key = scope.key(name + ".weight")
        scope.store.linearWeightLog?.record(key)
        let matrix = try scope.store.matrix(key, shape: [outFeatures, inFeatures])
        let biasBuffer = bias ? try scope.buffer(name + ".bias", shape: [outFeatures]) : nil
        if packing == nil, case .int8(let rows) = matrix, fusing == .int8 || fusing == .int8Compute {
            self.init(storage: .int8Rows(rows), bias: biasBuffer, inFeatures: inFeatures, outFeatures: outFeatures)
            return
        }
        self.init(storage: .packing(matrix, outFeatures: outFeatures, inFeatures: inFeatures, as: packing),
                  bias: biasBuffer, inFeatures: inFeatures, outFeatures: outFeatures)
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
    /// Parts that are all stored int8 rows (`fusing:`) are stacked as int8 rows and packed as they are.
    package static func fused(_ parts: [Linear], packing: PackedType? = nil) -> Linear {
        let inFeatures = parts.first?.inFeatures ?? 0
        let outFeatures = parts.reduce(0) { $0 + $1.outFeatures }
        let hasBias = parts.contains { $0.bias != nil }
        let bias = hasBias ? FloatBuffer(count: outFeatures) : nil
        var row = 0
        for p in parts {
            if let bias, let pb = p.bias {
                (bias.pointer + row).update(from: pb.pointer, count: p.outFeatures)
            }
            row += p.outFeatures
        }
        if let packing, let stacked = stackedInt8Rows(parts, outFeatures: outFeatures, inFeatures: inFeatures) {
            defer {
                stacked.values.deallocate()
                stacked.scales.deallocate()
            }
            if let packed = PackedMatrix(int8Rows: stacked.values, scales: stacked.scales, outFeatures: outFeatures,
                                         inFeatures: inFeatures, type: packing) {
                return Linear(storage: .packed(packed), bias: bias, inFeatures: inFeatures, outFeatures: outFeatures)
            }
        }
        let weight = FloatBuffer(count: outFeatures * inFeatures, zeroed: false)
        row = 0
        for p in parts {
            p.copyWeight(into: weight.pointer + row * inFeatures)
            row += p.outFeatures
        }
        return Linear(packing: weight, bias: bias, inFeatures: inFeatures, outFeatures: outFeatures, as: packing)
    }

    /// The parts' int8 rows and scales one after another (the caller deallocates both), or nil unless
    /// every part is stored int8 rows.
    private static func stackedInt8Rows(_ parts: [Linear], outFeatures: Int, inFeatures: Int)
        -> (values: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>)? {
        let matrices = parts.compactMap { part -> Int8Matrix? in
            if case .int8Rows(let m) = part.storage { return m }
            return nil
        }
        guard !parts.isEmpty, matrices.count == parts.count, outFeatures > 0, inFeatures > 0 else { return nil }
        let values = UnsafeMutablePointer<Int8>.allocate(capacity: outFeatures * inFeatures)
        let scales = UnsafeMutablePointer<Float>.allocate(capacity: outFeatures)
        var row = 0
        for m in matrices {
            m.withValues { (values + row * inFeatures).initialize(from: $0, count: m.rows * inFeatures) }
            (scales + row).initialize(from: m.scales.pointer, count: m.rows)
            m.release()
            row += m.rows
        }
        return (values, scales)
    }

    /// Writes the (out, in) weight row-major to `out`.
    private func copyWeight(into out: UnsafeMutablePointer<Float>) {
        switch storage {
        case .plain(let w): out.update(from: w.pointer, count: outFeatures * inFeatures)
        case .packed(let p): p.unpack(into: out)
        case .int8Rows(let m): out.update(from: m.dequantized().pointer, count: outFeatures * inFeatures)
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
        case .int8Rows(let m):
            let w = m.dequantized()
            MatMul.linear(x, rows: rows, inFeatures: inFeatures, weight: w.pointer, outFeatures: outFeatures,
                          bias: b, into: y)
        }
    }

    package var parameterCount: Int { outFeatures * inFeatures + (bias?.count ?? 0) }
}
