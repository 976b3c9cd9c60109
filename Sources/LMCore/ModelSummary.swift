import LMModel

/// A human-readable description of a loaded model (what `lmcore-cli inspect` prints).
public struct ModelSummary {
    public let text: String

    public init(_ model: Model) {
        let n = model.network
        let c = n.config
        var lines: [String] = []
        lines.append("model_type: \(c.modelType)")
        lines.append("path: \(model.path)")
        lines.append("d_model: \(c.dModel)")
        lines.append("encoder: \(c.encoder.layers) layers, \(c.encoder.heads) heads x \(c.encoder.headDim), ffn \(c.encoder.ffnDim)")
        lines.append("decoder: \(c.decoder.layers) layers, \(c.decoder.heads) heads x \(c.decoder.headDim), ffn \(c.decoder.ffnDim)")
        lines.append("vocab: \(c.vocabSize) (decoder \(c.decoderVocabSize))")
        lines.append("activation: \(c.activation.rawValue)\(c.gatedFeedForward ? " (gated)" : "")")
        lines.append("norm: \(c.normalization == .layerNorm ? "layer_norm" : "rms_norm") \(c.preNorm ? "pre" : "post")")
        let positions: String
        switch c.positions {
        case .sinusoidalMarian: positions = "sinusoidal"
        case .sinusoidalFairseq: positions = "sinusoidal (fairseq)"
        case .learned(let offset): positions = "learned (offset \(offset))"
        case .relativeBias(let buckets, let distance): positions = "relative bias (\(buckets) buckets, max distance \(distance))"
        }
        lines.append("positions: \(positions), max \(c.maxPositions)")
        lines.append("parameters: \(n.parameterCount)")
        let dtypes = n.storedDtypes.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }.joined(separator: ", ")
        lines.append("dtypes: \(dtypes) (computed in F32)")
        lines.append("special ids: pad \(c.padTokenId), eos \(c.eosTokenIds), bos \(c.bosTokenId.map(String.init) ?? "none"), decoder_start \(c.decoderStartTokenId)")
        lines.append("tokenizer: \(model.tokenizer == nil ? "none" : "yes")")
        lines.append("compute: \(ComputeBackend.description)")
        text = lines.joined(separator: "\n")
    }
}
