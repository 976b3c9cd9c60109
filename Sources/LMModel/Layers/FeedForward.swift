import LMTensor

/// The position-wise feed-forward block: fc2(act(fc1·x)), or T5 v1.1's gated form
/// wo(act(wi_0·x) ⊙ wi_1·x).
package struct FeedForward: Sendable {
    package let fc1: Linear
    /// The linear branch of a gated unit (wi_1); nil for the plain form.
    package let gate: Linear?
    package let fc2: Linear
    package let activation: Activation

    package init(fc1: Linear, gate: Linear?, fc2: Linear, activation: Activation) {
        self.fc1 = fc1
        self.gate = gate
        self.fc2 = fc2
        self.activation = activation
    }

    package var hiddenDim: Int { fc1.outFeatures }

    /// y(rows, D) = FFN(x(rows, D)). `hidden` needs rows·hiddenDim floats (2× for gated).
    package func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, hidden: UnsafeMutablePointer<Float>,
                               into y: UnsafeMutablePointer<Float>) {
        let f = hiddenDim
        fc1(x, rows: rows, into: hidden)
        activation.apply(hidden, count: rows * f)
        if let gate {
            let linearPart = hidden + rows * f
            gate(x, rows: rows, into: linearPart)
            for i in 0..<(rows * f) { hidden[i] *= linearPart[i] }
        }
        fc2(hidden, rows: rows, into: y)
    }

    /// Scratch floats needed for `rows` rows.
    package func hiddenSize(rows: Int) -> Int { rows * hiddenDim * (gate == nil ? 1 : 2) }

    package var parameterCount: Int { fc1.parameterCount + (gate?.parameterCount ?? 0) + fc2.parameterCount }
}
