/// The recurrent network of a `model_type: "rnn_seq2seq"` checkpoint: which cell, how many layers
/// and directions, how the decoder starts and how it attends. Read from config.json by
/// `RNNSeq2Seq.config(from:)`; README "Models" documents every key.
package struct RecurrentConfig: Sendable, Equatable {
    /// torch.nn.GRU (gates r, z, n) or torch.nn.LSTM (gates i, f, g, o).
    package enum Cell: String, Sendable, CaseIterable {
        case gru, lstm
        /// Rows of weight_ih / weight_hh per hidden unit.
        package var gates: Int { self == .gru ? 3 : 4 }
    }

    /// The decoder's initial state.
    package enum Bridge: String, Sendable, CaseIterable {
        /// Decoder layer k starts from the encoder's final state of layer k (directions concatenated).
        case final
        case zeros
        /// tanh(encoder.fc([forward final; backward final])) of the top encoder layer, for every
        /// decoder layer (pytorch-seq2seq tutorial 3); LSTM cells start at zero.
        case linearTanh = "linear_tanh"
    }

    package enum Attention: String, Sendable, CaseIterable {
        case none
        /// Bahdanau et al. 2015: scored with the previous decoder state, before the RNN step.
        case bahdanau
        /// Luong et al. 2015 global attention, scored with the new state, after the RNN step.
        case luongDot = "luong_dot"
        case luongGeneral = "luong_general"
        case luongConcat = "luong_concat"

        package var isLuong: Bool { self == .luongDot || self == .luongGeneral || self == .luongConcat }
    }

    package var cell: Cell
    package var encoderLayers: Int
    package var decoderLayers: Int
    /// Hidden units per direction of the encoder.
    package var hiddenSize: Int
    package var bidirectional: Bool
    package var bridge: Bridge
    package var attention: Attention
    /// Luong/OpenNMT input feeding: the previous attentional vector is appended to the decoder input.
    package var inputFeeding: Bool
    /// Canonical tensor name -> the name in the checkpoint (config.json `weight_map`).
    package var weightMap: [String: String]

    package var directions: Int { bidirectional ? 2 : 1 }
    /// Width of an encoder output row (both directions side by side).
    package var encoderOutputSize: Int { directions * hiddenSize }

    /// A one-line description for `inspect` and `lmcore_model_info`.
    package var summary: String {
        var parts = ["\(cell.rawValue)", bidirectional ? "bidirectional encoder" : "unidirectional encoder",
                     "bridge \(bridge.rawValue)", "attention \(attention.rawValue)"]
        if inputFeeding { parts.append("input feeding") }
        return parts.joined(separator: ", ")
    }
}
