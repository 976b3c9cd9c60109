import LMInput
import LMTensor

/// Recurrent encoder-decoders (config.json `model_type: "rnn_seq2seq"`): GRU or LSTM stacks with
/// no attention, Bahdanau, or Luong attention, as the classic PyTorch tutorials and OpenNMT-py
/// build them. Canonical tensor names are those modules' `state_dict()` keys (README "Models";
/// Tests/Generator/rnn_reference.py is the reference); `weight_map` renames them for other layouts.
package enum RNNSeq2Seq: Architecture {
    package static let modelTypes = ["rnn_seq2seq"]

    package static func config(from file: ConfigFile) throws -> ModelConfig {
        func choice<T: RawRepresentable & CaseIterable>(_ key: String, default value: T?) throws -> T
        where T.RawValue == String {
            guard let text = try file.string(key) else {
                guard let value else { throw InputError.format("\(file.path): required field '\(key)' is missing") }
                return value
            }
            guard let chosen = T(rawValue: text) else {
                throw InputError.unsupported("\(file.path): \(key) '\(text)' is not supported (supported: "
                    + T.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            return chosen
        }
        let cell: RecurrentConfig.Cell = try choice("cell", default: nil)
        let layers = try file.int("num_layers", default: 1, minimum: 1)
        let attention: RecurrentConfig.Attention = try choice("attention", default: RecurrentConfig.Attention.none)
        let feeding = try file.bool("input_feeding", default: false)
        if feeding && !attention.isLuong {
            throw InputError.unsupported("\(file.path): input_feeding needs a Luong attention (luong_dot, "
                + "luong_general, luong_concat); attention is '\(attention.rawValue)'")
        }
        let recurrent = RecurrentConfig(
            cell: cell, encoderLayers: layers, decoderLayers: try file.int("decoder_layers", default: layers, minimum: 1),
            hiddenSize: try file.requiredInt("hidden_size"),
            bidirectional: try file.bool("bidirectional_encoder", default: false),
            bridge: try choice("bridge", default: RecurrentConfig.Bridge.final), attention: attention,
            inputFeeding: feeding, weightMap: try weightMap(file))
        // The same bounds Seq2SeqModel.checkLimits puts on d_model and layers, named as this config names them.
        for (key, value, limit) in [("hidden_size", recurrent.hiddenSize, 1 << 15), ("num_layers", recurrent.encoderLayers, 1024),
                                    ("decoder_layers", recurrent.decoderLayers, 1024)] where value > limit {
            throw InputError.unsupported("\(file.path): \(key) \(value) is larger than lmcore's limit \(limit)")
        }
        if recurrent.bridge == .final && recurrent.decoderLayers != recurrent.encoderLayers {
            throw InputError.unsupported("\(file.path): bridge 'final' starts decoder layer k from encoder layer k, "
                + "so decoder_layers (\(recurrent.decoderLayers)) must equal num_layers (\(recurrent.encoderLayers)); "
                + "use bridge 'zeros' or 'linear_tanh' otherwise")
        }
        // The vocabularies come from the embedding tables (`load`); until then the limit stands in,
        // so the special ids can be checked once the tables are known (Seq2SeqModel.load).
        let vocab = try file.int("vocab_size") ?? Seq2SeqModel.maxVocabulary
        guard let start = try file.int("decoder_start_token_id") else {
            throw InputError.format("\(file.path): required field 'decoder_start_token_id' is missing")
        }
        let eos = try file.intList("eos_token_id")
        guard !eos.isEmpty else { throw InputError.format("\(file.path): required field 'eos_token_id' is missing") }
        guard let pad = try file.int("pad_token_id") else {
            throw InputError.format("\(file.path): required field 'pad_token_id' is missing")
        }
        let stack = ModelConfig.Stack(layers: layers, heads: 0, ffnDim: 0, headDim: 0)
        var config = ModelConfig(
            modelType: "rnn_seq2seq", dModel: recurrent.encoderOutputSize, encoder: stack,
            decoder: ModelConfig.Stack(layers: recurrent.decoderLayers, heads: 0, ffnDim: 0, headDim: 0),
            vocabSize: vocab, decoderVocabSize: Seq2SeqModel.maxVocabulary, activation: .tanh, preNorm: false,
            embedScale: 1, positions: .recurrence, maxPositions: 0, layernormEmbedding: false, finalLayerNorm: false,
            linearBias: true, finalLogitsBias: false, sharedEmbeddings: false, tiedOutput: false,
            padTokenId: pad, eosTokenIds: eos, bosTokenId: try file.int("bos_token_id"), decoderStartTokenId: start)
        config.recurrent = recurrent
        return config
    }

    /// config.json `weight_map`: canonical name -> checkpoint key, both strings.
    static func weightMap(_ file: ConfigFile) throws -> [String: String] {
        guard let value = file.value["weight_map"], !value.isNull else { return [:] }
        guard let members = value.memberDictionary else {
            throw InputError.format("\(file.path): field 'weight_map' must be an object of tensor names, found \(value.kind)")
        }
        var map: [String: String] = [:]
        for (canonical, key) in members {
            guard case .string(let name) = key else {
                throw InputError.format("\(file.path): weight_map entry '\(canonical)' must be a tensor name, found \(key.kind)")
            }
            map[canonical] = name
        }
        return map
    }

    package static func load(config: ModelConfig, weights store: WeightStore) throws -> Network {
        guard let rnn = config.recurrent else {
            throw InputError.format("rnn_seq2seq: the configuration has no recurrent section")
        }
        var weights = RecurrentWeights(store: store, map: rnn.weightMap)
        let stepPacking: PackedType = config.computeType.decoderWeights
        let sequencePacking = config.computeType.sequenceWeights
        let gates = rnn.cell.gates, h = rnn.hiddenSize, width = rnn.encoderOutputSize

        let (sourceVocab, sourceDim) = try weights.matrixShape("encoder.embedding.weight")
        if config.vocabSize != Seq2SeqModel.maxVocabulary && config.vocabSize != sourceVocab {
            throw InputError.format("\(store.source): encoder.embedding.weight has \(sourceVocab) rows but config.json "
                + "says vocab_size \(config.vocabSize)")
        }
        let sourceTable = try weights.buffer("encoder.embedding.weight", shape: [sourceVocab, sourceDim])
        var encoderLayers: [[RecurrentLayer]] = []
        for k in 0..<rnn.encoderLayers {
            let inputs = k == 0 ? sourceDim : width
            encoderLayers.append(try (0..<rnn.directions).map { d in
                try weights.layer("encoder.rnn", k, reverse: d == 1, cell: rnn.cell, hidden: h, inputs: inputs,
                                  inputPacking: sequencePacking, recurrentPacking: stepPacking)
            })
        }
        let encoder = RecurrentEncoder(embedding: sourceTable, vocabSize: sourceVocab, embeddingDim: sourceDim,
                                       layers: encoderLayers, hidden: h)

        let (targetVocab, targetDim) = try weights.matrixShape("decoder.embedding.weight")
        let targetTable = try weights.buffer("decoder.embedding.weight", shape: [targetVocab, targetDim])
        let recurrentShape = try weights.matrixShape("decoder.rnn.weight_hh_l0")
        let hd = recurrentShape.columns
        guard recurrentShape.rows == gates * hd else {
            throw InputError.format("\(store.source): decoder.rnn.weight_hh_l0 has shape [\(recurrentShape.rows), \(hd)]; "
                + "a \(rnn.cell.rawValue) needs \(gates) x hidden rows")
        }
        if rnn.bridge == .final && hd != width {
            throw InputError.format("\(store.source): bridge 'final' needs the decoder's hidden size (\(hd)) to equal the "
                + "encoder's final state width (\(width) = \(rnn.directions) x hidden_size \(h))")
        }
        let firstInputs: Int
        switch rnn.attention {
        case .bahdanau: firstInputs = targetDim + width
        default: firstInputs = targetDim + (rnn.inputFeeding ? hd : 0)
        }
        let decoderLayers = try (0..<rnn.decoderLayers).map { k in
            try weights.layer("decoder.rnn", k, reverse: false, cell: rnn.cell, hidden: hd,
                              inputs: k == 0 ? firstInputs : hd, inputPacking: stepPacking, recurrentPacking: stepPacking)
        }
        let attention = try self.attention(rnn, weights: &weights, hidden: hd, memoryWidth: width,
                                           stepPacking: stepPacking, sequencePacking: sequencePacking)
        let outputInputs = rnn.attention == .bahdanau ? hd + width + targetDim : hd
        let output = try weights.linear("decoder.fc_out", out: targetVocab, in: outputInputs, packing: stepPacking)
        let bridge = rnn.bridge == .linearTanh
            ? try weights.linear("encoder.fc", out: hd, in: width, packing: nil) : nil
        try weights.checkMapUsed()
        let decoder = RecurrentDecoder(embedding: targetTable, vocabSize: targetVocab, embeddingDim: targetDim,
                                       layers: decoderLayers, hidden: hd, attention: attention, output: output,
                                       bridge: bridge)
        return .recurrent(RecurrentModel(config: rnn, encoder: encoder, decoder: decoder))
    }

    static func attention(_ rnn: RecurrentConfig, weights: inout RecurrentWeights, hidden hd: Int, memoryWidth e: Int,
                          stepPacking: PackedType, sequencePacking: PackedType?) throws -> RecurrentAttention? {
        let kind = rnn.attention
        guard kind != .none else { return nil }
        var query: Linear? = nil, key: Linear? = nil, v: FloatBuffer? = nil, linearIn: Linear? = nil, linearOut: Linear? = nil
        if kind == .bahdanau || kind == .luongConcat {
            // attn reads [query; h_j]: its first hd columns act on the query, the rest on the encoder row.
            let attn = try weights.buffer("decoder.attention.attn.weight", shape: [hd, hd + e])
            let bias = try weights.optionalBuffer("decoder.attention.attn.bias", shape: [hd])
            let queryPart = FloatBuffer(count: hd * hd, zeroed: false), keyPart = FloatBuffer(count: hd * e, zeroed: false)
            for r in 0..<hd {
                (queryPart.pointer + r * hd).update(from: attn.pointer + r * (hd + e), count: hd)
                (keyPart.pointer + r * e).update(from: attn.pointer + r * (hd + e) + hd, count: e)
            }
            query = Linear(packing: queryPart, bias: bias, inFeatures: hd, outFeatures: hd, as: stepPacking)
            key = Linear(packing: keyPart, bias: nil, inFeatures: e, outFeatures: hd, as: sequencePacking)
            v = try weights.buffer("decoder.attention.v.weight", shape: [1, hd])
        }
        if kind == .luongDot && hd != e {
            throw InputError.format("\(weights.store.source): luong_dot scores h_j · h_t, so the decoder's hidden size (\(hd)) "
                + "must equal the encoder's output width (\(e)); use luong_general otherwise")
        }
        if kind == .luongGeneral {
            linearIn = try weights.linear("decoder.attention.linear_in", out: e, in: hd, packing: stepPacking)
        }
        if kind.isLuong {
            linearOut = try weights.linear("decoder.attention.linear_out", out: hd, in: e + hd, packing: stepPacking)
        }
        return RecurrentAttention(kind: kind, query: query, key: key, v: v, linearIn: linearIn, linearOut: linearOut,
                                  hidden: hd, memoryWidth: e)
    }
}

/// The checkpoint seen through canonical names: `weight_map` entries replace a name by the
/// checkpoint's own key; every entry must name a tensor the model reads.
struct RecurrentWeights {
    let store: WeightStore
    let map: [String: String]
    private var used: Set<String> = []

    init(store: WeightStore, map: [String: String]) {
        self.store = store
        self.map = map
    }

    private func key(_ name: String) -> String { map[name] ?? name }

    private func described(_ name: String) -> String {
        map[name].map { "'\(name)' (checkpoint key '\($0)' by weight_map)" } ?? "'\(name)'"
    }

    func contains(_ name: String) -> Bool { store.contains(key(name)) }

    /// (rows, columns) of a 2-D tensor.
    mutating func matrixShape(_ name: String) throws -> (rows: Int, columns: Int) {
        guard let info = store.info(key(name)) else {
            throw InputError.format("\(store.source): tensor \(described(name)) is missing")
        }
        guard info.shape.count == 2, info.shape[0] > 0, info.shape[1] > 0 else {
            throw InputError.format("\(store.source): tensor \(described(name)) has shape \(info.shape), expected 2 "
                + "non-empty dimensions")
        }
        return (info.shape[0], info.shape[1])
    }

    mutating func buffer(_ name: String, shape: [Int]) throws -> FloatBuffer {
        guard contains(name) else { throw InputError.format("\(store.source): tensor \(described(name)) is missing") }
        used.insert(name)
        return try store.buffer(key(name), shape: shape)
    }

    mutating func optionalBuffer(_ name: String, shape: [Int]) throws -> FloatBuffer? {
        contains(name) ? try buffer(name, shape: shape) : nil
    }

    /// `<name>.weight` (out, in) and, when the checkpoint has it, `<name>.bias`.
    mutating func linear(_ name: String, out: Int, in inputs: Int, packing: PackedType?) throws -> Linear {
        let weight = try buffer(name + ".weight", shape: [out, inputs])
        let bias = try optionalBuffer(name + ".bias", shape: [out])
        return Linear(packing: weight, bias: bias, inFeatures: inputs, outFeatures: out, as: packing)
    }

    /// Layer k (one direction) of a torch.nn.GRU/LSTM saved under `prefix`: weight_ih_l{k}[_reverse],
    /// weight_hh_l{k}[_reverse] and their biases (absent with bias=False).
    mutating func layer(_ prefix: String, _ k: Int, reverse: Bool, cell: RecurrentConfig.Cell, hidden: Int, inputs: Int,
                        inputPacking: PackedType?, recurrentPacking: PackedType?) throws -> RecurrentLayer {
        let suffix = "_l\(k)" + (reverse ? "_reverse" : "")
        let rows = cell.gates * hidden
        func part(_ kind: String, columns: Int, packing: PackedType?) throws -> Linear {
            let weight = try buffer("\(prefix).weight_\(kind)\(suffix)", shape: [rows, columns])
            let bias = try optionalBuffer("\(prefix).bias_\(kind)\(suffix)", shape: [rows])
            return Linear(packing: weight, bias: bias, inFeatures: columns, outFeatures: rows, as: packing)
        }
        return RecurrentLayer(cell: cell, hidden: hidden, input: try part("ih", columns: inputs, packing: inputPacking),
                              recurrent: try part("hh", columns: hidden, packing: recurrentPacking))
    }

    /// A weight_map entry for a name the model never read is a mistake in the map (a typo, or a
    /// layout the config does not describe): say so instead of ignoring it.
    func checkMapUsed() throws {
        if let unused = map.keys.sorted().first(where: { !used.contains($0) }) {
            throw InputError.format("\(store.source): weight_map maps '\(unused)', which this model does not read "
                + "(canonical names are listed in README \"Models\")")
        }
    }
}
