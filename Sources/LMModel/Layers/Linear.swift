import LMTensor

/// A linear layer y = x·Wᵀ + b with the checkpoint's (out, in) weight layout.
package struct Linear: Sendable {
    package let weight: FloatBuffer
    package let bias: FloatBuffer?
    package let inFeatures: Int
    package let outFeatures: Int

    package init(weight: FloatBuffer, bias: FloatBuffer?, inFeatures: Int, outFeatures: Int) {
        self.weight = weight
        self.bias = bias
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
    }

    /// Loads `<name>.weight` (out, in) and, when `bias`, `<name>.bias` (out).
    package init(_ scope: WeightScope, _ name: String, in inFeatures: Int, out outFeatures: Int,
                bias: Bool) throws {
        let w = try scope.tensor(name + ".weight", shape: [outFeatures, inFeatures])
        self.weight = FloatBuffer(w.storage)
        if bias {
            self.bias = FloatBuffer(try scope.tensor(name + ".bias", shape: [outFeatures]).storage)
        } else {
            self.bias = nil
        }
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
    }

    /// Stacks layers with the same input into one (their outputs side by side), so that e.g.
    /// q, k and v projections run as a single GEMM.
    package static func fused(_ parts: [Linear]) -> Linear {
        let inFeatures = parts.first?.inFeatures ?? 0
        let outFeatures = parts.reduce(0) { $0 + $1.outFeatures }
        let weight = FloatBuffer(count: outFeatures * inFeatures, zeroed: false)
        let hasBias = parts.contains { $0.bias != nil }
        let bias = hasBias ? FloatBuffer(count: outFeatures) : nil
        var row = 0
        for p in parts {
            (weight.pointer + row * inFeatures).update(from: p.weight.pointer, count: p.outFeatures * inFeatures)
            if let bias, let pb = p.bias {
                (bias.pointer + row).update(from: pb.pointer, count: p.outFeatures)
            }
            row += p.outFeatures
        }
        return Linear(weight: weight, bias: bias, inFeatures: inFeatures, outFeatures: outFeatures)
    }

    /// y(rows, out) = x(rows, in)·Wᵀ + b.
    @inlinable
    package func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        MatMul.linear(x, rows: rows, inFeatures: inFeatures, weight: weight.pointer, outFeatures: outFeatures,
                      bias: bias.map { UnsafePointer($0.pointer) }, into: y)
    }

    package var parameterCount: Int { weight.count + (bias?.count ?? 0) }
}
