// Follows transformers' GenerationMixin._get_logits_processor (v5.23): which processors exist for a
// configuration, and their order.

extension LogitsProcessorList {
    /// The processors HF's `generate` builds for `settings`, in HF's order: encoder repetition penalty,
    /// repetition penalty, no-repeat n-gram, encoder no-repeat n-gram, bad words, min length, min new tokens,
    /// forced BOS, forced EOS, inf/nan removal, exponential decay, suppress tokens, suppress at begin; then,
    /// when sampling, temperature, top-k, top-p, typical; finally renormalisation.
    /// - Parameter encoderInputIds: each input's encoder ids (for the encoder-based processors); pass an
    ///   empty list for an input without ids and those processors skip it, as HF skips them without ids.
    package static func huggingFace(settings: GenerationSettings, encoderInputIds: [[Int32]],
                                   vocabularySize: Int) throws -> LogitsProcessorList {
        let o = settings.options
        let eos = settings.eosTokenIds
        let hasEos = !eos.isEmpty
        // HF only uses encoder ids when every row has them and none is negative.
        let hasEncoderIds = !encoderInputIds.isEmpty && encoderInputIds.allSatisfy { ids in
            !ids.isEmpty && ids.allSatisfy { $0 >= 0 }
        }
        var list: [any LogitsProcessor] = []

        if let p = o.encoderRepetitionPenalty, p != 1, hasEncoderIds {
            list.append(try EncoderRepetitionPenaltyLogitsProcessor(penalty: p, encoderInputIds: encoderInputIds))
        }
        if let p = o.repetitionPenalty, p != 1 {
            list.append(try RepetitionPenaltyLogitsProcessor(penalty: p))
        }
        if let n = o.noRepeatNgramSize, n > 0 {
            list.append(try NoRepeatNGramLogitsProcessor(ngramSize: n))
        }
        if let n = o.encoderNoRepeatNgramSize, n > 0, hasEncoderIds {
            list.append(try EncoderNoRepeatNGramLogitsProcessor(ngramSize: n, encoderInputIds: encoderInputIds))
        }
        if let bad = o.badWordsIds {
            list.append(try NoBadWordsLogitsProcessor(badWordsIds: bad, eosTokenIds: eos,
                                                      vocabularySize: vocabularySize))
        }
        if settings.minLength > 0, hasEos {
            list.append(try MinLengthLogitsProcessor(minLength: settings.minLength, eosTokenIds: eos))
        }
        if let minNew = settings.minNewTokens, minNew > 0, hasEos {
            list.append(try MinNewTokensLengthLogitsProcessor(
                promptLengthToSkip: settings.promptLength, minNewTokens: minNew, eosTokenIds: eos))
        }
        if let bos = o.forcedBosTokenId {
            list.append(try ForcedBOSTokenLogitsProcessor(bosTokenId: bos, vocabularySize: vocabularySize))
        }
        if let forced = o.forcedEosTokenId {
            list.append(try ForcedEOSTokenLogitsProcessor(maxLength: settings.maxLength, eosTokenIds: forced,
                                                          vocabularySize: vocabularySize))
        }
        if o.removeInvalidValues == true {
            list.append(InfNanRemoveLogitsProcessor())
        }
        if let decay = o.exponentialDecayLengthPenalty {
            list.append(try ExponentialDecayLengthPenalty(
                startIndex: decay.startIndex, decayFactor: decay.decayFactor, eosTokenIds: eos,
                promptLength: settings.promptLength))
        }
        if let suppress = o.suppressTokens {
            list.append(SuppressTokensLogitsProcessor(suppressTokens: suppress))
        }
        if let begin = o.beginSuppressTokens {
            // HF shifts the begin index past a forced BOS token when the prompt is the start token alone.
            let index = settings.promptLength > 1 || o.forcedBosTokenId == nil
                ? settings.promptLength : settings.promptLength + 1
            list.append(SuppressTokensAtBeginLogitsProcessor(beginSuppressTokens: begin, beginIndex: index))
        }
        if settings.mode == .sample || settings.mode == .beamSample {
            // Beam sampling keeps one more token than there are EOS ids, so a beam can always continue.
            let minKeep = settings.numBeams > 1 ? (hasEos ? eos.count + 1 : 2) : 1
            if let t = o.temperature, t != 1 {
                list.append(try TemperatureLogitsWarper(temperature: t))
            }
            if let k = o.topK, k != 0 {
                list.append(try TopKLogitsWarper(topK: k, minTokensToKeep: minKeep))
            }
            if let p = o.topP, p < 1 {
                list.append(try TopPLogitsWarper(topP: p, minTokensToKeep: minKeep))
            }
            if let p = o.typicalP, p < 1 {
                list.append(try TypicalLogitsWarper(mass: p, minTokensToKeep: minKeep))
            }
        }
        if o.renormalizeLogits == true {
            list.append(LogitNormalization())
        }
        return LogitsProcessorList(list)
    }
}
