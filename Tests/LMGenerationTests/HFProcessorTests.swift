import Foundation
import LMGeneration
import Testing

/// Each logits processor against HF's class on fixed rows (Tests/Fixtures/search/hf_processors.json).
@Suite("HF logits processor goldens")
struct HFProcessorTests {
    struct Golden: CustomTestStringConvertible, Sendable {
        let name: String
        let output: [[Float]]
        var testDescription: String { name }
    }

    static func root() -> [String: Any] { (try? Fixtures.json("hf_processors.json")) ?? [:] }
    static let goldens: [Golden] = (root()["cases"] as? [[String: Any]] ?? []).compactMap { c in
        guard let name = c["name"] as? String, let rows = c["output"] as? [Any] else { return nil }
        return Golden(name: name, output: rows.map(Fixtures.scoreRow))
    }
    static let scores: [[Float]] = (root()["scores"] as? [Any] ?? []).map(Fixtures.scoreRow)
    static let histories: [[Int32]] = (root()["histories"] as? [Any] ?? []).map(Fixtures.ints)
    static let encoder: [[Int32]] = (root()["encoder_input_ids"] as? [Any] ?? []).map(Fixtures.ints)

    static func processor(_ name: String) throws -> any LogitsProcessor {
        switch name {
        case "repetition_penalty_1.3": return try RepetitionPenaltyLogitsProcessor(penalty: 1.3)
        case "repetition_penalty_0.7": return try RepetitionPenaltyLogitsProcessor(penalty: 0.7)
        case "encoder_repetition_penalty_1.4":
            return try EncoderRepetitionPenaltyLogitsProcessor(penalty: 1.4, encoderInputIds: encoder)
        case "no_repeat_ngram_2": return try NoRepeatNGramLogitsProcessor(ngramSize: 2)
        case "no_repeat_ngram_3": return try NoRepeatNGramLogitsProcessor(ngramSize: 3)
        case "encoder_no_repeat_ngram_1":
            return try EncoderNoRepeatNGramLogitsProcessor(ngramSize: 1, encoderInputIds: encoder)
        case "encoder_no_repeat_ngram_2":
            return try EncoderNoRepeatNGramLogitsProcessor(ngramSize: 2, encoderInputIds: encoder)
        case "bad_words":
            return try NoBadWordsLogitsProcessor(badWordsIds: [[3], [8, 12], [2, 9, 30], [5, 6], [2]], eosTokenIds: [2],
                                                 vocabularySize: 48)
        case "min_length_9": return try MinLengthLogitsProcessor(minLength: 9, eosTokenIds: [2, 4])
        case "min_new_tokens_4":
            return try MinNewTokensLengthLogitsProcessor(promptLengthToSkip: 1, minNewTokens: 4, eosTokenIds: [2])
        case "suppress": return SuppressTokensLogitsProcessor(suppressTokens: [0, 3, 46, 90])
        case "suppress_at_begin_4": return SuppressTokensAtBeginLogitsProcessor(beginSuppressTokens: [1, 2], beginIndex: 4)
        case "exponential_decay":
            return try ExponentialDecayLengthPenalty(startIndex: 1, decayFactor: 1.7, eosTokenIds: [2, 3], promptLength: 1)
        case "temperature_0.6": return try TemperatureLogitsWarper(temperature: 0.6)
        case "top_k_5": return try TopKLogitsWarper(topK: 5)
        case "top_k_1": return try TopKLogitsWarper(topK: 1)
        case "top_k_3_keep_4": return try TopKLogitsWarper(topK: 3, minTokensToKeep: 4)
        case "top_p_0.8": return try TopPLogitsWarper(topP: 0.8)
        case "top_p_0.3_keep_3": return try TopPLogitsWarper(topP: 0.3, minTokensToKeep: 3)
        case "typical_0.7": return try TypicalLogitsWarper(mass: 0.7)
        case "typical_0.2_keep_2": return try TypicalLogitsWarper(mass: 0.2, minTokensToKeep: 2)
        case "log_softmax": return LogitNormalization()
        default: throw FixtureError("no Swift processor for golden \(name)")
        }
    }

    @Test func fixtureIsPresent() {
        #expect(HFProcessorTests.goldens.count == 22)
        #expect(HFProcessorTests.scores.count == 4)
    }

    @Test(arguments: HFProcessorTests.goldens)
    func matchesTransformers(_ golden: Golden) throws {
        var processor = try HFProcessorTests.processor(golden.name)
        for (r, expected) in golden.output.enumerated() {
            var row = HFProcessorTests.scores[r]
            let history = HFProcessorTests.histories[r]
            row.withUnsafeMutableBufferPointer { scores in
                history.withUnsafeBufferPointer { tokens in
                    processor.process(scores, row: ProcessorRow(tokens: tokens, input: r))
                }
            }
            // Banned positions must agree exactly; values to float rounding.
            let banned = row.indices.filter { row[$0] == -.infinity }
            let expectedBanned = expected.indices.filter { expected[$0] == -.infinity }
            #expect(banned == expectedBanned, "row \(r): -inf positions")
            let diff = firstDifference(row, expected, 2e-6)
            #expect(diff == nil, "row \(r): \(diff ?? "")")
        }
    }
}
