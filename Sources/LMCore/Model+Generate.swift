import LMGeneration
import LMModel

extension Model {
    /// ids → ids: runs the encoder once over `sources` (exactly these ids; nothing is added),
    /// then search with a step decoder over cached state. Returns each input's hypotheses,
    /// best first; `options` override the model's generation_config.json.
    public func generate(_ sources: [[Int32]], options: GenerationOptions = GenerationOptions(),
                         decoderPrefixes: [[Int32]]? = nil,
                         onTokens: TokenCallback? = nil) throws(LMCoreError) -> [[Hypothesis]] {
        try lmcore {
            if let decoderPrefixes, decoderPrefixes.count != sources.count {
                throw LMCoreError(.invalidArgument, "\(decoderPrefixes.count) decoder prefixes for \(sources.count) inputs")
            }
            let encoded = try network.encode(sources)
            var decoder = ModelStepDecoder(state: network.startDecoding(encoded), searchThreads: threads)
            let inputs = sources.enumerated().map { i, ids in
                GenerationInput(encoderInputIds: ids, decoderPrefix: decoderPrefixes?[i] ?? [])
            }
            return try Generation.generate(decoder: &decoder, inputs: inputs,
                                           options: options.merged(over: generationDefaults),
                                           maxPositionEmbeddings: network.config.maxTargetLength,
                                           onTokens: onTokens)
        }
    }
}
