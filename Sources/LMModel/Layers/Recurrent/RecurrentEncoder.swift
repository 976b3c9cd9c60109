import LMTensor
import LMInput

/// The last state of every layer and direction of a recurrent encoder, per input: what the
/// decoder's bridge starts from.
package struct RecurrentFinalStates: Sendable {
    /// (inputs, layers, directions · hidden): layer k of input i at ((i · layers) + k) · width,
    /// forward direction first.
    package let h: FloatBuffer
    /// The same for the LSTM cell state; nil for GRU.
    package let c: FloatBuffer?
    package let layers: Int
    package let width: Int

    /// Layer `layer`'s final hidden state of input `input` (width values).
    package func h(input: Int, layer: Int) -> UnsafeMutablePointer<Float> {
        h.pointer + (input * layers + layer) * width
    }

    package func c(input: Int, layer: Int) -> UnsafeMutablePointer<Float>? {
        c.map { $0.pointer + (input * layers + layer) * width }
    }
}

/// A stack of torch.nn.GRU / torch.nn.LSTM layers over token embeddings, uni- or bidirectional,
/// run over packed sequences: every input is read to its own length, so a batch gives each input
/// the result it has alone (what torch's pack_padded_sequence gives), with no padding work.
package struct RecurrentEncoder: Sendable {
    /// (vocab, embeddingDim) token table.
    package let embedding: FloatBuffer
    package let vocabSize: Int
    package let embeddingDim: Int
    /// [layer][direction]: direction 1 runs from each input's last token to its first.
    package let layers: [[RecurrentLayer]]
    package let hidden: Int

    package init(embedding: FloatBuffer, vocabSize: Int, embeddingDim: Int, layers: [[RecurrentLayer]], hidden: Int) {
        self.embedding = embedding
        self.vocabSize = vocabSize
        self.embeddingDim = embeddingDim
        self.layers = layers
        self.hidden = hidden
    }

    package var directions: Int { layers.first?.count ?? 1 }
    /// Width of an output row: the directions side by side.
    package var outputSize: Int { directions * hidden }
    package var parameterCount: Int {
        layers.joined().reduce(vocabSize * embeddingDim) { $0 + $1.parameterCount }
    }

    /// Checks ids and lengths as the Transformer encoder does; no position limit.
    package func validate(_ inputs: [[Int32]]) throws {
        try Encoder.validate(inputs, vocabSize: vocabSize, maxPositions: Int.max)
    }

    /// Encodes every input; `observer(layer, states)` sees the packed embeddings (layer −1) and each
    /// layer's packed outputs (tests compare them with the reference).
    package func callAsFunction(_ inputs: [[Int32]], threads: Int,
                               observer: ((Int, FloatBuffer) -> Void)? = nil) throws -> EncoderOutput {
        try validate(inputs)
        let sequences = PackedSequences(lengths: inputs.map(\.count))
        let n = sequences.total, width = outputSize, h = hidden
        var x = FloatBuffer(count: n * embeddingDim, zeroed: false)
        inputs.flatMap { $0 }.withUnsafeBufferPointer { ids in
            Embedding.gather(table: embedding.pointer, rows: vocabSize, dim: embeddingDim, ids: ids, scale: 1,
                             into: x.pointer)
        }
        observer?(-1, x)
        // Longest first: at step t the inputs still running are a prefix of this order, so the
        // recurrent product of a step reads one contiguous block of states.
        let order = sequences.lengths.indices.sorted { sequences.lengths[$0] > sequences.lengths[$1] }
        let isLSTM = layers.first?.first?.cell == .lstm
        let finalH = FloatBuffer(count: inputs.count * layers.count * width, zeroed: false)
        let finalC = isLSTM ? FloatBuffer(count: inputs.count * layers.count * width, zeroed: false) : nil
        let batch = inputs.count
        for (k, directionLayers) in layers.enumerated() {
            let out = FloatBuffer(count: n * width, zeroed: false)
            for (d, layer) in directionLayers.enumerated() {
                let gates = layer.gateWidth
                let gi = FloatBuffer(count: n * gates, zeroed: false)
                layer.input(x.pointer, rows: n, into: gi.pointer)
                let state = FloatBuffer(count: batch * h)
                let cell = isLSTM ? FloatBuffer(count: batch * h) : nil
                let gh = FloatBuffer(count: batch * gates, zeroed: false)
                var active = batch
                for t in 0..<sequences.maxLength {
                    while active > 0 && sequences.lengths[order[active - 1]] <= t { active -= 1 }
                    layer.recurrent(state.pointer, rows: active, into: gh.pointer)
                    for i in 0..<active {
                        let s = order[i], length = sequences.lengths[s]
                        let row = sequences.offsets[s] + (d == 0 ? t : length - 1 - t)
                        let hi = state.pointer + i * h
                        layer.update(gi: gi.pointer + row * gates, gh: gh.pointer + i * gates, h: hi,
                                     c: cell.map { $0.pointer + i * h })
                        (out.pointer + row * width + d * h).update(from: hi, count: h)
                    }
                }
                // An input's state stops changing once its steps are done: row i holds order[i]'s last state.
                for i in 0..<batch {
                    let s = order[i], at = (s * layers.count + k) * width + d * h
                    (finalH.pointer + at).update(from: state.pointer + i * h, count: h)
                    if let finalC, let cell { (finalC.pointer + at).update(from: cell.pointer + i * h, count: h) }
                }
            }
            observer?(k, out)
            x = out
        }
        var output = EncoderOutput(hidden: x, sequences: sequences, sourceIds: inputs, dim: width)
        output.finalStates = RecurrentFinalStates(h: finalH, c: finalC, layers: layers.count, width: width)
        return output
    }
}
