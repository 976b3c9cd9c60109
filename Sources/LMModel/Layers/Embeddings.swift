import LMTensor

/// Token embeddings (optionally scaled) plus absolute positions: the input of each stack.
public struct Embeddings: Sendable {
    /// (vocab, D) token table.
    public let tokens: FloatBuffer
    public let vocabSize: Int
    public let dim: Int
    public let scale: Float
    /// (rows, D) position table and the row of position 0; nil for models without absolute
    /// positions (T5).
    public let positions: FloatBuffer?
    public let positionRows: Int
    public let positionOffset: Int
    /// BART's layernorm_embedding.
    public let norm: Norm?

    public init(tokens: FloatBuffer, vocabSize: Int, dim: Int, scale: Float, positions: FloatBuffer?,
                positionRows: Int, positionOffset: Int, norm: Norm?) {
        self.tokens = tokens
        self.vocabSize = vocabSize
        self.dim = dim
        self.scale = scale
        self.positions = positions
        self.positionRows = positionRows
        self.positionOffset = positionOffset
        self.norm = norm
    }

    /// The number of positions the table covers (Int.max without a table).
    public var maxPositions: Int {
        positions == nil ? Int.max : positionRows - positionOffset
    }

    /// out(n, D) = scale·tokens[ids[i]] + positions[positionOf(i) + offset], then the optional
    /// norm. Ids and positions must have been validated by the caller.
    public func callAsFunction(_ ids: UnsafeBufferPointer<Int32>, positions positionOf: (Int) -> Int,
                               into out: UnsafeMutablePointer<Float>) {
        Embedding.gather(table: tokens.pointer, rows: vocabSize, dim: dim, ids: ids, scale: scale, into: out)
        if let table = positions {
            for i in 0..<ids.count {
                let row = positionOf(i) + positionOffset
                Scale.add(table.pointer + row * dim, into: out + i * dim, count: dim)
            }
        }
        if let norm {
            norm(out, rows: ids.count, into: out)
        }
    }

    public var parameterCount: Int { tokens.count + (norm?.parameterCount ?? 0) }
}
