/// A human-readable description of a loaded model (what `lmcore-cli inspect` prints), from its
/// `ModelInfo`.
public struct ModelSummary {
    public let text: String

    public init(_ model: Model) {
        self.init(model.info)
    }

    public init(_ i: ModelInfo) {
        var lines: [String] = []
        lines.append("model_type: \(i.modelType)")
        lines.append("path: \(i.path)")
        lines.append("d_model: \(i.dModel)")
        if let recurrent = i.recurrent {
            lines.append("recurrent: \(recurrent)")
            lines.append("layers: encoder \(i.encoder.layers), decoder \(i.decoder.layers)")
        } else {
            for (name, s) in [("encoder", i.encoder), ("decoder", i.decoder)] {
                lines.append("\(name): \(s.layers) layers, \(s.heads) heads x \(s.headDim), ffn \(s.ffnDim)")
            }
        }
        lines.append("vocab: \(i.vocabSize) (decoder \(i.decoderVocabSize))")
        if i.recurrent == nil {
            lines.append("activation: \(i.activation)\(i.gatedFeedForward ? " (gated)" : "")")
            lines.append("norm: \(i.normalization) \(i.preNorm ? "pre" : "post")")
        }
        lines.append(i.recurrent == nil ? "positions: \(i.positions), max \(i.maxPositions)" : "positions: \(i.positions)")
        lines.append("parameters: \(i.parameters)")
        let dtypes = i.storedDtypes.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }.joined(separator: ", ")
        lines.append("dtypes: \(dtypes) (computed in F32)")
        let scope = i.computeType == "int8" ? "encoder and decoder weights"
            : i.recurrent != nil ? "per-step weights; whole-sequence input projections are float32"
            : "decoder weights; the encoder is float32"
        lines.append("compute type: \(i.computeType) (\(scope))")
        lines.append("special ids: pad \(i.padTokenId), eos \(i.eosTokenIds), bos \(i.bosTokenId.map(String.init) ?? "none"), decoder_start \(i.decoderStartTokenId)")
        lines.append("tokenizer: \(i.hasTokenizer ? "yes" : "none")")
        lines.append("compute: \(i.compute)")
        text = lines.joined(separator: "\n")
    }
}
