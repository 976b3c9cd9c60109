import LMTensor

/// Attention of a recurrent decoder over the encoder outputs H (one row per source token, width E):
/// weights a = softmax(score(q, h_j)) over the row's own source, context c = Σ a_j h_j.
// Scores as Bahdanau et al. 2015 (additive, v·tanh(W[q; h_j] + b)) and Luong et al. 2015 §3.1
// (dot: h_j·q; general: h_j·(W q); concat: additive with the new state). The additive weight W is
// split by columns into the query part and the key part, so W_h·h_j is computed once per input
// (`keys`), not once per step.
package struct RecurrentAttention: Sendable {
    package let kind: RecurrentConfig.Attention
    /// Additive: the query columns of `attn` with its bias, (Hd, Hd).
    let query: Linear?
    /// Additive: the key columns of `attn`, (Hd, E), applied to the encoder outputs once.
    let key: Linear?
    /// Additive: `v` (Hd).
    let v: FloatBuffer?
    /// luong_general: `linear_in` (E, Hd), maps the query into the encoder's space.
    let linearIn: Linear?
    /// Luong: `linear_out` (Hd, E + Hd) over [context; state], then tanh: the attentional vector.
    package let linearOut: Linear?
    /// Decoder hidden size and encoder output width.
    package let hidden: Int
    package let memoryWidth: Int

    package init(kind: RecurrentConfig.Attention, query: Linear?, key: Linear?, v: FloatBuffer?, linearIn: Linear?,
                 linearOut: Linear?, hidden: Int, memoryWidth: Int) {
        self.kind = kind
        self.query = query
        self.key = key
        self.v = v
        self.linearIn = linearIn
        self.linearOut = linearOut
        self.hidden = hidden
        self.memoryWidth = memoryWidth
    }

    package var parameterCount: Int {
        (query?.parameterCount ?? 0) + (key?.parameterCount ?? 0) + (v?.count ?? 0) + (linearIn?.parameterCount ?? 0)
            + (linearOut?.parameterCount ?? 0)
    }

    /// The per-input part of additive scores, W_h·h_j for every encoder row (total, Hd); nil for
    /// the multiplicative scores.
    package func keys(_ memory: EncoderOutput) -> FloatBuffer? {
        guard let key else { return nil }
        let rows = memory.sequences.total
        let out = FloatBuffer(count: rows * hidden, zeroed: false)
        key(memory.hidden.pointer, rows: rows, into: out.pointer)
        return out
    }

    /// Contexts (rows, E) for queries q (rows, Hd); row r attends over source `rowSource[r]`.
    package func context(_ q: UnsafePointer<Float>, rows: Int, rowSource: [Int], memory: EncoderOutput,
                         keys: FloatBuffer?, threads: Int, into context: UnsafeMutablePointer<Float>) {
        let hd = hidden, e = memoryWidth, sources = memory.sequences
        // The query as the scores read it: W_q·q + b (additive), W·q (general), q itself (dot).
        var projected: FloatBuffer? = nil
        if let map = query ?? linearIn {
            let p = FloatBuffer(count: rows * map.outFeatures, zeroed: false)
            map(q, rows: rows, into: p.pointer)
            projected = p
        }
        let queries = projected.map { UnsafePointer($0.pointer) } ?? q
        let queryWidth = projected == nil ? hd : (query ?? linearIn)?.outFeatures ?? hd
        let maxLength = sources.maxLength
        let memoryRows = UnsafePointer(memory.hidden.pointer)
        let keyRows = keys.map { UnsafePointer($0.pointer) }
        let vector = v.map { UnsafePointer($0.pointer) }
        Parallel.chunks(rows, threads: threads, minimumPerThread: max(1, 4096 / max(1, maxLength * hd))) { range in
            let scores = FloatBuffer(count: maxLength, zeroed: false)
            let energy = keyRows == nil ? nil : FloatBuffer(count: hd, zeroed: false)
            for r in range {
                let s = rowSource[r], start = sources.offsets[s], length = sources.lengths[s]
                let qr = queries + r * queryWidth
                for j in 0..<length {
                    if let keyRows, let vector, let energy {
                        // v · tanh(W_q q + b + W_h h_j)
                        energy.pointer.update(from: qr, count: hd)
                        Scale.add(keyRows + (start + j) * hd, into: energy.pointer, count: hd)
                        VectorActivation.tanh(energy.pointer, count: hd)
                        scores.pointer[j] = Reduce.dot(vector, energy.pointer, count: hd)
                    } else {
                        scores.pointer[j] = Reduce.dot(memoryRows + (start + j) * e, qr, count: e)
                    }
                }
                Softmax.row(scores.pointer, n: length)
                let c = context + r * e
                c.update(repeating: 0, count: e)
                for j in 0..<length {
                    Scale.accumulate(memoryRows + (start + j) * e, into: c, count: e, alpha: scores.pointer[j])
                }
            }
        }
    }
}
