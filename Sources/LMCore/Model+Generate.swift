import LMGeneration
import LMModel

extension Model {
    /// ids → ids: runs the encoder once over `sources` (exactly these ids; nothing is added),
    /// then search with a step decoder over cached state. Returns each input's hypotheses,
    /// best first; `options` override the model's generation_config.json.
    public func generate(_ sources: [[Int32]], options: GenerationOptions = GenerationOptions(),
                         decoderPrefixes: [[Int32]]? = nil,
                         onTokens: TokenCallback? = nil) throws(LMCoreError) -> [[Hypothesis]] {
        try generate(sources, options: options, decoderPrefixes: decoderPrefixes, onTokens: onTokens, clock: nil)
    }

    /// `generate`, also reporting where the time went (encoder, decoder steps, reorders, search).
    /// The same results; the clock reads add well under a microsecond per step.
    public func profiledGenerate(_ sources: [[Int32]], options: GenerationOptions = GenerationOptions(),
                                 decoderPrefixes: [[Int32]]? = nil)
        throws(LMCoreError) -> (results: [[Hypothesis]], timings: GenerationTimings) {
        let clock = StepClock()
        let results = try generate(sources, options: options, decoderPrefixes: decoderPrefixes, onTokens: nil,
                                   clock: clock)
        return (results, clock.timings)
    }

    private func generate(_ sources: [[Int32]], options: GenerationOptions, decoderPrefixes: [[Int32]]?,
                          onTokens: TokenCallback?, clock: StepClock?) throws(LMCoreError) -> [[Hypothesis]] {
        try lmcore {
            if let decoderPrefixes, decoderPrefixes.count != sources.count {
                throw LMCoreError(.invalidArgument, "\(decoderPrefixes.count) decoder prefixes for \(sources.count) inputs")
            }
            func encode() throws -> any DecodingState {
                try network.startDecoding(network.encode(sources))
            }
            let state = try clock.map { try $0.measure(\.encoderSeconds, encode) } ?? encode()
            var decoder = ModelStepDecoder(state: state, searchThreads: threads, clock: clock)
            let inputs = sources.enumerated().map { i, ids in
                GenerationInput(encoderInputIds: ids, decoderPrefix: decoderPrefixes?[i] ?? [])
            }
            let merged = options.merged(over: generationDefaults)
            func search() throws -> [[Hypothesis]] {
                try Generation.generate(decoder: &decoder, inputs: inputs, options: merged,
                                        maxPositionEmbeddings: network.config.maxTargetLength, onTokens: onTokens)
            }
            return try clock.map { try $0.measureSearch(search) } ?? search()
        }
    }
}
