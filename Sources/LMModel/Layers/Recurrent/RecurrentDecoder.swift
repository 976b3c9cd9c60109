import LMTensor
import LMInput

/// A recurrent encoder-decoder: the encoder, the decoder stack with its attention and output
/// layer, and the bridge between them.
package struct RecurrentModel: Sendable {
    package let config: RecurrentConfig
    package let encoder: RecurrentEncoder
    package let decoder: RecurrentDecoder

    package init(config: RecurrentConfig, encoder: RecurrentEncoder, decoder: RecurrentDecoder) {
        self.config = config
        self.encoder = encoder
        self.decoder = decoder
    }

    package var parameterCount: Int { encoder.parameterCount + decoder.parameterCount }
}

/// The decoder side: token table, a unidirectional GRU/LSTM stack, attention, `fc_out`, and the
/// bridge (`encoder.fc`, for linear_tanh).
package struct RecurrentDecoder: Sendable {
    package let embedding: FloatBuffer
    package let vocabSize: Int
    package let embeddingDim: Int
    package let layers: [RecurrentLayer]
    package let hidden: Int
    package let attention: RecurrentAttention?
    /// fc_out: reads [output; context; embedded] (Bahdanau), the attentional vector (Luong) or the
    /// top layer's output (no attention).
    package let output: Linear
    /// encoder.fc of the linear_tanh bridge.
    package let bridge: Linear?

    package init(embedding: FloatBuffer, vocabSize: Int, embeddingDim: Int, layers: [RecurrentLayer], hidden: Int,
                 attention: RecurrentAttention?, output: Linear, bridge: Linear?) {
        self.embedding = embedding
        self.vocabSize = vocabSize
        self.embeddingDim = embeddingDim
        self.layers = layers
        self.hidden = hidden
        self.attention = attention
        self.output = output
        self.bridge = bridge
    }

    package var vocabularySize: Int { output.outFeatures }
    package var parameterCount: Int {
        layers.reduce(vocabSize * embeddingDim + output.parameterCount + (bridge?.parameterCount ?? 0)
                      + (attention?.parameterCount ?? 0)) { $0 + $1.parameterCount }
    }
}

/// Decoding one batch of a recurrent model: per row, each layer's h (and c), the attentional
/// vector fed to the next step (input feeding) and the source the row attends to. Reordering
/// moves these rows; nothing is recomputed.
package final class RecurrentDecoderState: DecodingState {
    let model: RecurrentModel
    let encoderOutput: EncoderOutput
    /// Additive attention's W_h·h_j, once per request.
    let keys: FloatBuffer?
    let threads: Int
    package private(set) var rowSource: [Int]
    /// Per layer (rows, hidden).
    private var h: [FloatBuffer]
    private var c: [FloatBuffer]
    /// (rows, hidden) attentional vectors of the previous step (Luong with input feeding).
    private var feed: FloatBuffer?

    package init(model: RecurrentModel, encoderOutput: EncoderOutput, threads: Int) throws {
        guard let finals = encoderOutput.finalStates else {
            throw InputError.invalidArgument("a recurrent decoder needs a recurrent encoder's output")
        }
        self.model = model
        self.encoderOutput = encoderOutput
        self.threads = threads
        let decoder = model.decoder, config = model.config
        let rows = encoderOutput.sequences.count, hd = decoder.hidden, layers = decoder.layers.count
        rowSource = Array(0..<rows)
        keys = decoder.attention?.keys(encoderOutput)
        h = (0..<layers).map { _ in FloatBuffer(count: rows * hd) }
        c = decoder.layers.first?.cell == .lstm ? (0..<layers).map { _ in FloatBuffer(count: rows * hd) } : []
        feed = config.inputFeeding ? FloatBuffer(count: rows * hd) : nil
        switch config.bridge {
        case .zeros:
            break
        case .final:
            // Loading checked layers and widths: decoder layer k has the width of encoder layer k's states.
            for k in 0..<layers {
                for i in 0..<rows {
                    (h[k].pointer + i * hd).update(from: finals.h(input: i, layer: k), count: hd)
                    if !c.isEmpty, let ci = finals.c(input: i, layer: k) { (c[k].pointer + i * hd).update(from: ci, count: hd) }
                }
            }
        case .linearTanh:
            guard let bridge = decoder.bridge else { break }
            let top = FloatBuffer(count: rows * finals.width, zeroed: false)
            for i in 0..<rows {
                (top.pointer + i * finals.width).update(from: finals.h(input: i, layer: finals.layers - 1), count: finals.width)
            }
            bridge(top.pointer, rows: rows, into: h[0].pointer)
            VectorActivation.tanh(h[0].pointer, count: rows * hd)
            for k in 1..<max(1, layers) { h[k].pointer.update(from: h[0].pointer, count: rows * hd) }
        }
    }

    package var rows: Int { rowSource.count }
    package var vocabularySize: Int { model.decoder.vocabularySize }

    package func step(_ tokens: [Int32]) throws -> Tensor {
        let decoder = model.decoder, rows = rowSource.count, hd = decoder.hidden
        try StepChecks.tokens(tokens, rows: rows, embeddingRows: decoder.vocabSize)
        let emb = decoder.embeddingDim, e = encoderOutput.dim
        let embedded = FloatBuffer(count: rows * emb, zeroed: false)
        tokens.withUnsafeBufferPointer { ids in
            Embedding.gather(table: decoder.embedding.pointer, rows: decoder.vocabSize, dim: emb, ids: ids, scale: 1,
                             into: embedded.pointer)
        }
        let attention = decoder.attention
        var context: FloatBuffer? = nil
        // The first layer's input: [embedded; context] (Bahdanau, context from the previous state),
        // [embedded; previous attentional vector] (input feeding) or embedded.
        var x = embedded
        if let attention, attention.kind == .bahdanau {
            let ctx = attend(attention, query: h[decoder.layers.count - 1], rows: rows)
            context = ctx
            x = Self.concatenate([(embedded, emb), (ctx, e)], rows: rows)
        } else if let feed {
            x = Self.concatenate([(embedded, emb), (feed, hd)], rows: rows)
        }
        for (k, layer) in decoder.layers.enumerated() {
            let gates = layer.gateWidth
            let gi = FloatBuffer(count: rows * gates, zeroed: false)
            let gh = FloatBuffer(count: rows * gates, zeroed: false)
            layer.input(x.pointer, rows: rows, into: gi.pointer)
            layer.recurrent(h[k].pointer, rows: rows, into: gh.pointer)
            for r in 0..<rows {
                layer.update(gi: gi.pointer + r * gates, gh: gh.pointer + r * gates, h: h[k].pointer + r * hd,
                             c: c.isEmpty ? nil : c[k].pointer + r * hd)
            }
            x = h[k]
        }
        let top = h[decoder.layers.count - 1]
        let head: FloatBuffer
        if let attention, attention.kind == .bahdanau, let context {
            head = Self.concatenate([(top, hd), (context, e), (embedded, emb)], rows: rows)
        } else if let attention, let linearOut = attention.linearOut {
            let ctx = attend(attention, query: top, rows: rows)
            let attentional = FloatBuffer(count: rows * hd, zeroed: false)
            let joined = Self.concatenate([(ctx, e), (top, hd)], rows: rows)
            linearOut(joined.pointer, rows: rows, into: attentional.pointer)
            VectorActivation.tanh(attentional.pointer, count: rows * hd)
            if feed != nil { feed = attentional }
            head = attentional
        } else {
            head = top
        }
        return decoder.output.logits(head.pointer, rows: rows)
    }

    package func reorder(_ indices: [Int]) throws {
        try StepChecks.reorder(indices, rows: rowSource.count)
        let hd = model.decoder.hidden
        func gathered(_ b: FloatBuffer) -> FloatBuffer {
            let out = FloatBuffer(count: indices.count * hd, zeroed: false)
            for (r, i) in indices.enumerated() { (out.pointer + r * hd).update(from: b.pointer + i * hd, count: hd) }
            return out
        }
        h = h.map(gathered)
        c = c.map(gathered)
        feed = feed.map(gathered)
        rowSource = indices.map { rowSource[$0] }
    }

    private func attend(_ attention: RecurrentAttention, query: FloatBuffer, rows: Int) -> FloatBuffer {
        let out = FloatBuffer(count: rows * encoderOutput.dim, zeroed: false)
        attention.context(query.pointer, rows: rows, rowSource: rowSource, memory: encoderOutput, keys: keys,
                          threads: threads, into: out.pointer)
        return out
    }

    /// Rows of several (rows, width) buffers side by side.
    private static func concatenate(_ parts: [(FloatBuffer, Int)], rows: Int) -> FloatBuffer {
        let width = parts.reduce(0) { $0 + $1.1 }
        let out = FloatBuffer(count: rows * width, zeroed: false)
        for r in 0..<rows {
            var at = out.pointer + r * width
            for (buffer, w) in parts {
                at.update(from: buffer.pointer + r * w, count: w)
                at += w
            }
        }
        return out
    }
}
