import LMTensor
import LMInput

/// The encoder's result for a batch: hidden states of every input, packed back to back.
package struct EncoderOutput: Sendable {
    /// (sequences.total, D) final hidden states.
    package let hidden: FloatBuffer
    package let sequences: PackedSequences
    /// The source ids, kept for processors that look at them (encoder_no_repeat_ngram).
    package let sourceIds: [[Int32]]
    package let dim: Int
    /// A recurrent encoder's final states, which the decoder starts from; nil for Transformers.
    package var finalStates: RecurrentFinalStates? = nil

    /// The hidden states of input `i` as a (length, D) tensor.
    package func states(of i: Int) -> Tensor {
        let start = sequences.offsets[i] * dim, count = sequences.lengths[i] * dim
        return Tensor(shape: [sequences.lengths[i], dim],
                      storage: Array(UnsafeBufferPointer(start: hidden.pointer + start, count: count)))
    }
}

/// The encoder stack: embeddings, layers, optional final norm.
package struct Encoder: Sendable {
    package let embeddings: Embeddings
    package let layers: [EncoderLayer]
    package let finalNorm: Norm?
    package let positionBias: PositionBias?
    package let dim: Int

    package init(embeddings: Embeddings, layers: [EncoderLayer], finalNorm: Norm?, positionBias: PositionBias?,
                dim: Int) {
        self.embeddings = embeddings
        self.layers = layers
        self.finalNorm = finalNorm
        self.positionBias = positionBias
        self.dim = dim
    }

    /// The most tokens one input may have when positions do not bound it (T5's relative bias).
    package static let maxInputTokens = 1 << 16
    /// The most tokens one call may encode (all inputs together).
    package static let maxBatchTokens = 1 << 20

    /// Checks ids and lengths; the message names the input and the offending id.
    package func validate(_ inputs: [[Int32]]) throws {
        try Encoder.validate(inputs, vocabSize: embeddings.vocabSize, maxPositions: embeddings.maxPositions)
    }

    /// Checks ids and lengths against a vocabulary and a position limit (Int.max: none); shared by
    /// the Transformer and recurrent encoders, so both reject the same inputs in the same words.
    package static func validate(_ inputs: [[Int32]], vocabSize: Int, maxPositions: Int) throws {
        guard !inputs.isEmpty else { throw InputError.invalidArgument("no inputs given") }
        let total = inputs.reduce(0) { $0 + $1.count }
        guard total <= Encoder.maxBatchTokens else {
            throw InputError.invalidArgument("\(total) tokens in one call; lmcore encodes at most "
                + "\(Encoder.maxBatchTokens) at once (split the batch)")
        }
        for (i, ids) in inputs.enumerated() {
            guard !ids.isEmpty else { throw InputError.invalidArgument("input \(i) is empty") }
            guard ids.count <= Encoder.maxInputTokens else {
                throw InputError.invalidArgument("input \(i) has \(ids.count) tokens; lmcore accepts at most "
                    + "\(Encoder.maxInputTokens) per input")
            }
            guard ids.count <= maxPositions else {
                throw InputError.invalidArgument("input \(i) has \(ids.count) tokens; the model accepts at most "
                    + "\(maxPositions) (max_position_embeddings)")
            }
            if let bad = ids.first(where: { $0 < 0 || Int($0) >= vocabSize }) {
                throw InputError.invalidArgument("input \(i) holds id \(bad), outside the vocabulary "
                    + "[0, \(vocabSize))")
            }
        }
    }

    /// Runs the encoder on every input. `observer(layer, states)` sees the packed states after
    /// the embeddings (layer -1) and after each layer (tests compare them with the reference).
    package func callAsFunction(_ inputs: [[Int32]], threads: Int,
                               observer: ((Int, FloatBuffer) -> Void)? = nil) throws -> EncoderOutput {
        try validate(inputs)
        let sequences = PackedSequences(lengths: inputs.map(\.count))
        let n = sequences.total, d = dim
        let hidden = FloatBuffer(count: n * d, zeroed: false)
        let flat = inputs.flatMap { $0 }
        let positions = embeddings.encoderPositions(inputs)
        flat.withUnsafeBufferPointer { ids in
            embeddings(ids, positions: { row in positions[row] }, into: hidden.pointer)
        }
        observer?(-1, hidden)
        let scratchSize = layers.map { $0.scratchSize(rows: n, dim: d) }.max() ?? 0
        let scratch = FloatBuffer(count: scratchSize, zeroed: false)
        for (l, layer) in layers.enumerated() {
            layer(hidden.pointer, sequences: sequences, dim: d, bias: positionBias, threads: threads,
                  scratch: scratch.pointer)
            observer?(l, hidden)
        }
        if let finalNorm {
            finalNorm(hidden.pointer, rows: n, into: hidden.pointer)
        }
        return EncoderOutput(hidden: hidden, sequences: sequences, sourceIds: inputs, dim: d)
    }

    package var parameterCount: Int {
        layers.reduce(embeddings.parameterCount) { $0 + $1.parameterCount } + (finalNorm?.parameterCount ?? 0)
    }
}
