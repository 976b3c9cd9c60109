import LMTensor

/// One direction of one layer of a torch.nn.GRU or torch.nn.LSTM: the input projection
/// (`weight_ih`, `bias_ih`) and the recurrent one (`weight_hh`, `bias_hh`), and the cell update.
// Gate equations and order as torch.nn.GRU / torch.nn.LSTM document them (torch 2.13):
//   GRU  r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
//        n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h
//   LSTM i, f, g, o = σ, σ, tanh, σ of (W_ih x + b_ih + W_hh h + b_hh), c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c')
package struct RecurrentLayer: Sendable {
    package let cell: RecurrentConfig.Cell
    package let hidden: Int
    /// (gates · hidden, in): applied to whole sequences at once in the encoder, per step in the decoder.
    package let input: Linear
    /// (gates · hidden, hidden): one product per time step, on 1-256 rows.
    package let recurrent: Linear

    package init(cell: RecurrentConfig.Cell, hidden: Int, input: Linear, recurrent: Linear) {
        self.cell = cell
        self.hidden = hidden
        self.input = input
        self.recurrent = recurrent
    }

    /// gates · hidden: the width of both projections' outputs.
    package var gateWidth: Int { cell.gates * hidden }
    package var parameterCount: Int { input.parameterCount + recurrent.parameterCount }

    /// The cell update of one row: `gi` = input(x) and `gh` = recurrent(h) of that row (both
    /// gateWidth values, overwritten as scratch), `h` (and for LSTM `c`) updated in place.
    @inline(__always)
    package func update(gi: UnsafeMutablePointer<Float>, gh: UnsafeMutablePointer<Float>,
                        h: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>?) {
        let n = hidden
        switch cell {
        case .gru:
            Scale.add(gh, into: gi, count: 2 * n)              // r, z pre-activations
            VectorActivation.sigmoid(gi, count: 2 * n)
            let r = gi, z = gi + n, candidate = gi + 2 * n
            for j in 0..<n { candidate[j] += r[j] * gh[2 * n + j] }
            VectorActivation.tanh(candidate, count: n)
            // h' = (1 − z)·n + z·h = n + z·(h − n)
            for j in 0..<n { h[j] = candidate[j] + z[j] * (h[j] - candidate[j]) }
        case .lstm:
            guard let c else { return }
            Scale.add(gh, into: gi, count: 4 * n)
            VectorActivation.sigmoid(gi, count: 2 * n)          // i, f
            VectorActivation.tanh(gi + 2 * n, count: n)         // g
            VectorActivation.sigmoid(gi + 3 * n, count: n)      // o
            let i = gi, f = gi + n, g = gi + 2 * n, o = gi + 3 * n
            for j in 0..<n { c[j] = f[j] * c[j] + i[j] * g[j] }
            for j in 0..<n { h[j] = c[j] }
            VectorActivation.tanh(h, count: n)
            for j in 0..<n { h[j] *= o[j] }
        }
    }
}
