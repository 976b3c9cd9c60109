import Foundation
import LMGeneration
import LMTensor
import Testing

/// A decoder that misbehaves in a chosen way.
struct BrokenDecoder: StepDecoder {
    enum Fault { case wrongShape, throwsOnStep, throwsOnReorder, nanLogits }
    let vocabularySize = 6
    let fault: Fault
    var rows: Int

    mutating func step(_ tokens: [Int32]) throws -> Tensor {
        switch fault {
        case .wrongShape: return Tensor(shape: [tokens.count, 5], repeating: 0)
        case .throwsOnStep: throw GenerationError.invalidArgument("model failed")
        case .nanLogits: return Tensor(shape: [tokens.count, 6], repeating: .nan)
        case .throwsOnReorder: return Tensor(shape: [tokens.count, 6], storage: (0..<(tokens.count * 6)).map { Float($0 % 6) })
        }
    }

    mutating func reorder(_ indices: [Int]) throws {
        if fault == .throwsOnReorder { throw GenerationError.invalidArgument("reorder failed") }
        rows = indices.count
    }
}

@Suite("Bad input and misbehaving decoders give errors, never traps")
struct RobustnessTests {
    @Test(arguments: [BrokenDecoder.Fault.wrongShape, .throwsOnStep, .throwsOnReorder])
    func decoderFaultsSurfaceAsErrors(_ fault: BrokenDecoder.Fault) {
        // Greedy search over rows that never finish has no reason to reorder.
        for beams in fault == .throwsOnReorder ? [3] : [1, 3] {
            var d = BrokenDecoder(fault: fault, rows: 2)
            #expect(throws: GenerationError.self) {
                _ = try Generation.generate(decoder: &d, inputs: [GenerationInput(), GenerationInput()],
                                            options: scriptedOptions { $0.numBeams = beams; $0.maxNewTokens = 4 })
            }
        }
    }

    @Test func nanLogitsDoNotCrash() throws {
        for beams in [1, 3] {
            var d = BrokenDecoder(fault: .nanLogits, rows: 1)
            let out = try Generation.generate(decoder: &d, inputs: [GenerationInput()],
                                              options: scriptedOptions { $0.numBeams = beams; $0.maxNewTokens = 3 })
            #expect(out.count == 1)
        }
    }

    @Test func badArgumentsThrow() {
        let table: @Sendable (Int, [Int32]) -> [Float] = { _, _ in logits(6, [2: 1]) }
        func run(_ inputs: [GenerationInput], vocab: Int = 6, _ edit: (inout GenerationOptions) -> Void) throws {
            var d = ScriptedDecoder(vocabularySize: vocab, inputs: inputs.count, table: table)
            _ = try Generation.generate(decoder: &d, inputs: inputs, options: scriptedOptions(edit))
        }
        let one = [GenerationInput()]
        #expect(throws: GenerationError.self) { try run([GenerationInput(decoderPrefix: [9])]) { _ in } }
        #expect(throws: GenerationError.self) { try run([GenerationInput(decoderPrefix: [-1])]) { _ in } }
        #expect(throws: GenerationError.self) {
            try run([GenerationInput(decoderPrefix: [2]), GenerationInput(decoderPrefix: [2, 3])]) { _ in }
        }
        #expect(throws: GenerationError.self) { try run(one) { $0.decoderStartTokenId = 6 } }
        #expect(throws: GenerationError.self) { try run(one) { $0.badWordsIds = [[7]] } }
        #expect(throws: GenerationError.self) { try run(one) { $0.badWordsIds = [[]] } }
        #expect(throws: GenerationError.self) { try run(one) { $0.badWordsIds = [[1]] } }  // only EOS: HF rejects
        #expect(throws: GenerationError.self) { try run(one) { $0.forcedBosTokenId = 6 } }
        #expect(throws: GenerationError.self) { try run(one) { $0.forcedEosTokenId = [-2] } }
        #expect(throws: GenerationError.self) { try run(one) { $0.repetitionPenalty = 0 } }
        #expect(throws: GenerationError.self) { try run(one) { $0.doSample = true; $0.temperature = -1 } }
        #expect(throws: GenerationError.self) { try run(one) { $0.doSample = true; $0.topK = -3 } }
        #expect(throws: GenerationError.self) { try run(one) { $0.doSample = true; $0.topP = -0.5 } }
        // HF only adds top-p below 1, so 1.5 is accepted (and ignored) as it is there.
        #expect(throws: Never.self) { try run(one) { $0.doSample = true; $0.topP = 1.5 } }
        #expect(throws: GenerationError.self) { try run(one) { $0.doSample = true; $0.typicalP = 0 } }
        // Beam search needs more (beam, token) pairs than it keeps candidates.
        #expect(throws: GenerationError.self) { try run(one, vocab: 1) { $0.numBeams = 2; $0.decoderStartTokenId = 0 } }
        #expect(throws: GenerationError.self) { try run(one) { $0.numBeams = Int.max } }
        #expect(throws: GenerationError.self) { try run(one) { $0.maxNewTokens = Int.max } }
        #expect(throws: GenerationError.self) { try run(one) { $0.minNewTokens = Int.max } }
        // Out-of-vocabulary ids where HF ignores them are ignored.
        #expect(throws: Never.self) { try run(one) { $0.suppressTokens = [99, -4]; $0.eosTokenId = [77] } }
        #expect(throws: Never.self) { try run([GenerationInput(encoderInputIds: [99, 3, 99])]) {
            $0.encoderNoRepeatNgramSize = 1; $0.encoderRepetitionPenalty = 2
        } }
    }

    @Test func emptyBatch() throws {
        var d = ScriptedDecoder(vocabularySize: 4, inputs: 0) { _, _ in [0, 0, 0, 0] }
        #expect(try Generation.generate(decoder: &d, inputs: [], options: scriptedOptions()).isEmpty)
        #expect(d.rowsPerStep.isEmpty)
    }

    @Test func processorOrderFollowsHF() throws {
        var o = scriptedOptions {
            $0.doSample = true; $0.numBeams = 2; $0.temperature = 0.7; $0.topK = 10; $0.topP = 0.9; $0.typicalP = 0.9
            $0.repetitionPenalty = 1.2; $0.encoderRepetitionPenalty = 1.1; $0.noRepeatNgramSize = 3
            $0.encoderNoRepeatNgramSize = 2; $0.badWordsIds = [[5]]; $0.minLength = 3; $0.minNewTokens = 2
            $0.forcedBosTokenId = 2; $0.forcedEosTokenId = [1]; $0.removeInvalidValues = true
            $0.exponentialDecayLengthPenalty = .init(startIndex: 2, decayFactor: 1.1); $0.suppressTokens = [4]
            $0.beginSuppressTokens = [3]; $0.renormalizeLogits = true
        }
        o.seed = 1
        let settings = try GenerationSettings(options: o)
        let list = try LogitsProcessorList.huggingFace(settings: settings, encoderInputIds: [[3, 4]], vocabularySize: 6)
        let names = list.processors.map { String(describing: type(of: $0)) }
        #expect(names == [
            "EncoderRepetitionPenaltyLogitsProcessor", "RepetitionPenaltyLogitsProcessor",
            "NoRepeatNGramLogitsProcessor", "EncoderNoRepeatNGramLogitsProcessor", "NoBadWordsLogitsProcessor",
            "MinLengthLogitsProcessor", "MinNewTokensLengthLogitsProcessor", "ForcedBOSTokenLogitsProcessor",
            "ForcedEOSTokenLogitsProcessor", "InfNanRemoveLogitsProcessor", "ExponentialDecayLengthPenalty",
            "SuppressTokensLogitsProcessor", "SuppressTokensAtBeginLogitsProcessor", "TemperatureLogitsWarper",
            "TopKLogitsWarper", "TopPLogitsWarper", "TypicalLogitsWarper", "LogitNormalization",
        ])
        // Beam sampling keeps one more token than there are EOS ids.
        let topK = try #require(list.processors.compactMap { $0 as? TopKLogitsWarper }.first)
        #expect(topK.topK == 10)
        let begin = try #require(list.processors.compactMap { $0 as? SuppressTokensAtBeginLogitsProcessor }.first)
        #expect(begin.beginIndex == 2)  // shifted past the forced BOS token
    }
}
