import LMGeneration

extension Model {
    /// Teacher-forced log-likelihood of `targets[i]` given `sources[i]` (like CTranslate2's
    /// score_batch): per-token log-probabilities of each target id after the decoder start token
    /// and the preceding target ids, and their sum. Include EOS in a target to score it.
    public func score(sources: [[Int32]], targets: [[Int32]]) throws(LMCoreError) -> [SequenceScore] {
        guard sources.count == targets.count else {
            throw LMCoreError(.invalidArgument, "\(sources.count) sources but \(targets.count) targets")
        }
        return try lmcore {
            if let empty = targets.firstIndex(where: \.isEmpty) {
                throw LMCoreError(.invalidArgument, "target \(empty) is empty")
            }
            let encoded = try network.encode(sources)
            var decoder = ModelStepDecoder(state: try network.startDecoding(encoded))
            let start = generationDefaults.decoderStartTokenId ?? Int32(network.config.decoderStartTokenId)
            return try Generation.score(decoder: &decoder, targets: targets, decoderStartTokenId: start)
        }
    }

    /// `score` on text: sources through the tokenizer, targets through its target side (as
    /// transformers' `text_target=`), both with special tokens (so targets end with EOS).
    public func score(sourceTexts: [String], targetTexts: [String]) throws(LMCoreError) -> [SequenceScore] {
        let (sources, targets) = try tokenizePairs(sources: sourceTexts, targets: targetTexts)
        return try score(sources: sources, targets: targets)
    }

    /// Sources through the tokenizer, targets through its target side, with special tokens.
    public func tokenizePairs(sources: [String], targets: [String]) throws(LMCoreError) -> ([[Int32]], [[Int32]]) {
        let tokenizer = try requireTokenizer()
        return try lmcore {
            (try sources.map { try tokenizer.encode($0).ids },
             try targets.map { try tokenizer.encodeTarget($0, addSpecialTokens: true).ids })
        }
    }
}
