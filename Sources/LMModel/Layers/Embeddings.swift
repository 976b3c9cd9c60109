import LMTensor

/// Token embeddings (optionally scaled) plus absolute positions: the input of each stack.
package struct Embeddings: Sendable {
    /// (vocab, D) token table: plain, or the packed lm head when tied to it.
    package let tokens: Linear.Weight
    package let vocabSize: Int
    package let dim: Int
    package let scale: Float
    /// (rows, D) position table and the row of position 0; nil for models without absolute
    /// positions (T5).
    package let positions: FloatBuffer?
    package let positionRows: Int
    package let positionOffset: Int
    /// BART's layernorm_embedding.
    package let norm: Norm?
    /// fairseq/M2M100 positions (M2M100SinusoidalPositionalEmbedding): tokens with this id get
    /// the reference's zero row (nothing is added) and do not count as positions; the table's
    /// row p holds position p (the reference's row padding_idx + 1 + p, offset 0), and rows past
    /// the table are computed, as the reference grows its table on demand. nil for other models.
    package let fairseqPaddingIndex: Int?
    private let fairseqFrequencies: [Float]

    package init(tokens: Linear.Weight, vocabSize: Int, dim: Int, scale: Float, positions: FloatBuffer?,
                positionRows: Int, positionOffset: Int, norm: Norm?, fairseqPaddingIndex: Int? = nil) {
        self.tokens = tokens
        self.vocabSize = vocabSize
        self.dim = dim
        self.scale = scale
        self.positions = positions
        self.positionRows = positionRows
        self.positionOffset = positionOffset
        self.norm = norm
        self.fairseqPaddingIndex = fairseqPaddingIndex
        self.fairseqFrequencies = fairseqPaddingIndex == nil ? [] : Sinusoidal.fairseqFrequencies(dim: dim)
    }

    /// The number of positions the table covers (Int.max without a table or when rows past it
    /// are computed).
    package var maxPositions: Int {
        positions == nil || fairseqPaddingIndex != nil ? Int.max : positionRows - positionOffset
    }

    /// The position of every token of `inputs`, packed back to back: its index in its sequence,
    /// or for fairseq positions the number of non-pad tokens before it (create_position_ids_from_input_ids).
    package func encoderPositions(_ inputs: [[Int32]]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(inputs.reduce(0) { $0 + $1.count })
        for ids in inputs {
            if let pad = fairseqPaddingIndex {
                var count = 0
                for id in ids {
                    out.append(count)
                    if Int(id) != pad { count += 1 }
                }
            } else {
                out.append(contentsOf: 0..<ids.count)
            }
        }
        return out
    }

    /// out(n, D) = scale·tokens[ids[i]] + positions[positionOf(i) + offset], then the optional
    /// norm. Ids and positions must have been validated by the caller.
    package func callAsFunction(_ ids: UnsafeBufferPointer<Int32>, positions positionOf: (Int) -> Int,
                               into out: UnsafeMutablePointer<Float>) {
        switch tokens {
        case .plain(let table):
            Embedding.gather(table: table.pointer, rows: vocabSize, dim: dim, ids: ids, scale: scale, into: out)
        case .packed(let table):
            table.gatherRows(ids, scale: scale, into: out)
        case .int8Rows(let table):
            table.gatherRows(ids, scale: scale, into: out)
        }
        if let table = positions {
            var computed: FloatBuffer? = nil
            for i in 0..<ids.count {
                if let pad = fairseqPaddingIndex, Int(ids[i]) == pad { continue }  // the zero row
                let row = positionOf(i) + positionOffset
                if row < positionRows {
                    Scale.add(table.pointer + row * dim, into: out + i * dim, count: dim)
                } else if let pad = fairseqPaddingIndex {
                    let scratch = computed ?? FloatBuffer(count: dim, zeroed: false)
                    computed = scratch
                    Sinusoidal.fairseqRow(positionOf(i) + pad + 1, frequencies: fairseqFrequencies, dim: dim,
                                          into: scratch.pointer)
                    Scale.add(scratch.pointer, into: out + i * dim, count: dim)
                }
            }
        }
        if let norm {
            norm(out, rows: ids.count, into: out)
        }
    }

    package var parameterCount: Int { vocabSize * dim + (norm?.parameterCount ?? 0) }
}
