import Foundation
import LMGeneration
import Testing

/// Collects streamed tokens; a class so the callback can append from inside generate.
final class StreamLog: @unchecked Sendable {
    var tokens: [Int: [Int32]] = [:]
    var events = 0
    var stepsWithOutput = 0
}

@Suite("Streaming, cancellation and teacher-forced scoring")
struct StreamingAndScoringTests {
    /// For every HF golden, the streamed tokens of each input are exactly its best hypothesis (prefix excluded).
    @Test(arguments: HFGenerateTests.cases)
    func streamedTokensAreTheBestHypothesis(_ c: HFGenerateCase) throws {
        let model = try GenerationOptions(generationConfigJSON: c.modelConfigJSON)
        let explicit = try GenerationOptions(generationConfigJSON: c.optionsJSON)
        var decoder = HashStepDecoder(seeds: c.seeds)
        let inputs = c.encoderInputIds.map { GenerationInput(encoderInputIds: $0, decoderPrefix: c.prefix) }
        let log = StreamLog()
        let out = try Generation.generate(decoder: &decoder, inputs: inputs, options: explicit.merged(over: model),
                                          maxPositionEmbeddings: 64) { event in
            #expect(event.sequence == 0)
            log.tokens[event.input, default: []] += event.tokens
            log.events += 1
            return true
        }
        for (i, hyps) in out.enumerated() {
            #expect(log.tokens[i, default: []] == Array(hyps[0].ids.dropFirst(c.prefix.count)), "input \(i)")
        }
    }

    @Test func beamStreamingIsIncremental() throws {
        // A long beam search must release agreed tokens before the end, not all at once.
        let c = try #require(HFGenerateTests.cases.first { $0.name == "beam4_early_never_lp2.0" })
        var decoder = HashStepDecoder(seeds: [c.seeds[0]])
        var options = try GenerationOptions(generationConfigJSON: c.optionsJSON)
        options.decoderStartTokenId = 47
        options.eosTokenId = [2]
        let log = StreamLog()
        _ = try Generation.generate(decoder: &decoder, inputs: [GenerationInput()], options: options) { event in
            log.events += 1
            return true
        }
        #expect(log.events >= 3)
    }

    @Test func callbackCanCancel() throws {
        let log = StreamLog()
        for beams in [1, 4] {
            var decoder = HashStepDecoder(seeds: [11, 12])
            var options = scriptedOptions { $0.numBeams = beams; $0.maxNewTokens = 30; $0.eosTokenId = [] }
            options.decoderStartTokenId = 47
            #expect(throws: GenerationError.cancelled) {
                _ = try Generation.generate(decoder: &decoder, inputs: [GenerationInput(), GenerationInput()],
                                            options: options) { _ in
                    log.events += 1
                    return log.events < 3
                }
            }
            #expect(decoder.stepCount < 30)
            log.events = 0
        }
    }

    /// Teacher forcing reproduces HF's greedy log-probs (greedy without processors scores log_softmax(logits)).
    @Test func scoringMatchesGreedyLogProbs() throws {
        let c = try #require(HFGenerateTests.cases.first { $0.name == "greedy_max_new_tokens" })
        var decoder = HashStepDecoder(seeds: c.seeds)
        let targets = c.expected.map { $0[0].ids }
        let scores = try Generation.score(decoder: &decoder, targets: targets, decoderStartTokenId: 47)
        for (s, e) in zip(scores, c.expected.map { $0[0] }) {
            #expect(firstDifference(s.tokenLogProbs, e.tokenLogProbs ?? [], 1e-4) == nil)
            #expect(abs(s.total - (e.score ?? 0)) < 1e-4)
        }
        // Rows whose target ends are dropped; empty targets score 0 without a step of their own.
        var d2 = HashStepDecoder(seeds: [1, 2, 3])
        let mixed = try Generation.score(decoder: &d2, targets: [[5, 6, 7], [], [9]], decoderStartTokenId: 47)
        #expect(mixed.map(\.tokenLogProbs.count) == [3, 0, 1])
        #expect(mixed[1].total == 0)
        #expect(d2.rowsPerStep == [2, 1, 1])
        // The same scores one target at a time.
        var d3 = HashStepDecoder(seeds: [3])
        let alone = try Generation.score(decoder: &d3, targets: [[9]], decoderStartTokenId: 47)
        #expect(alone[0] == mixed[2])
    }

    @Test func scoringRejectsBadIds() {
        var d = HashStepDecoder(seeds: [1])
        #expect(throws: GenerationError.self) {
            _ = try Generation.score(decoder: &d, targets: [[3, 48]], decoderStartTokenId: 47)
        }
        #expect(throws: GenerationError.self) {
            _ = try Generation.score(decoder: &d, targets: [[3]], decoderStartTokenId: -1)
        }
    }
}
