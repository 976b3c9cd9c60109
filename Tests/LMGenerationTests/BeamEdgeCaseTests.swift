import Foundation
import LMGeneration
import Testing

/// Search bookkeeping on scripted logit tables, with expectations worked out by hand or by brute force.
@Suite("Search edge cases on scripted decoders")
struct BeamEdgeCaseTests {
    @Test func allBeamsFinishAtStepOne() throws {
        let step1 = logits(6, [1: 0, 2: -0.5, 3: -3, 4: -4, 5: -5])
        var decoder = ScriptedDecoder(vocabularySize: 6, inputs: 1) { _, _ in step1 }
        let options = scriptedOptions { $0.eosTokenId = [1, 2]; $0.numBeams = 2; $0.numReturnSequences = 2 }
        let out = try Generation.generate(decoder: &decoder, inputs: [GenerationInput()], options: options)
        let lp = logSoftmax(step1)
        #expect(out[0].map(\.ids) == [[1], [2]])
        #expect(abs(Double(out[0][0].score ?? 0) - lp[1]) < 1e-5)
        #expect(abs(Double(out[0][1].score ?? 0) - lp[2]) < 1e-5)
        // One step on one row, no beam expansion: the running beams could not beat the finished ones.
        #expect(decoder.rowsPerStep == [1])
        #expect(decoder.reorders.isEmpty)
    }

    /// With EOS practically impossible and a beam as wide as every prefix, beam search must return the
    /// exact n best sequences of max length (checked by enumerating them all).
    @Test(arguments: [0.0, 1.0, -0.5])
    func eosImpossibleWideBeamIsExhaustive(lengthPenalty: Double) throws {
        let vocab = 4
        let table: @Sendable (Int, [Int32]) -> [Float] = { _, prefix in
            var row = (0..<vocab).map { v -> Float in
                let h = HashStepDecoder.hash16(99, 7, prefix.reduce(5) { $0 &* 31 &+ Int($1) }, v)
                return Float(h) / 8192
            }
            row[1] = -50  // EOS
            return row
        }
        var decoder = ScriptedDecoder(vocabularySize: vocab, inputs: 1, table: table)
        let options = scriptedOptions {
            $0.numBeams = 9; $0.numReturnSequences = 9; $0.maxNewTokens = 3
            $0.earlyStopping = .never; $0.lengthPenalty = lengthPenalty
        }
        let out = try Generation.generate(decoder: &decoder, inputs: [GenerationInput()], options: options)[0]

        var all: [(ids: [Int32], score: Double)] = []
        let tokens: [Int32] = [0, 2, 3]
        for a in tokens { for b in tokens { for c in tokens {
            var prefix: [Int32] = [0]
            var sum = 0.0
            for t in [a, b, c] {
                sum += logSoftmax(table(0, prefix))[Int(t)]
                prefix.append(t)
            }
            all.append(([a, b, c], sum / pow(3.0, lengthPenalty)))
        } } }
        all.sort { $0.score > $1.score }
        #expect(out.map(\.ids) == all.prefix(9).map(\.ids))
        for (h, e) in zip(out, all) { #expect(abs(Double(h.score ?? 0) - e.score) < 1e-4) }
        // n-best comes sorted, best first.
        #expect(zip(out, out.dropFirst()).allSatisfy { ($0.score ?? 0) >= ($1.score ?? 0) })
    }

    @Test func maxNewTokensOne() throws {
        let step1 = logits(6, [1: -0.2, 2: 0.5, 3: 0.1, 4: -1, 5: -2])
        var decoder = ScriptedDecoder(vocabularySize: 6, inputs: 1) { _, _ in step1 }
        let options = scriptedOptions { $0.numBeams = 3; $0.numReturnSequences = 3; $0.maxNewTokens = 1 }
        let out = try Generation.generate(decoder: &decoder, inputs: [GenerationInput()], options: options)
        #expect(out[0].map(\.ids) == [[2], [3], [1]])
        let lp = logSoftmax(step1)
        #expect(zip(out[0], [2, 3, 1]).allSatisfy { abs(Double($0.score ?? 0) - lp[$1]) < 1e-5 })
        var greedy = ScriptedDecoder(vocabularySize: 6, inputs: 1) { _, _ in step1 }
        let g = try Generation.generate(decoder: &greedy, inputs: [GenerationInput()],
                                        options: scriptedOptions { $0.maxNewTokens = 1 })
        #expect(g[0].map(\.ids) == [[2]])
    }

    @Test func tiesGoToTheLowerTokenId() throws {
        let flat = logits(6, [1: -5, 2: 0, 3: 0, 4: 0, 5: 0])
        var greedy = ScriptedDecoder(vocabularySize: 6, inputs: 1) { _, _ in flat }
        let g = try Generation.generate(decoder: &greedy, inputs: [GenerationInput()],
                                        options: scriptedOptions { $0.maxNewTokens = 1 })
        #expect(g[0][0].ids == [2])
        var beam = ScriptedDecoder(vocabularySize: 6, inputs: 1) { _, _ in flat }
        let b = try Generation.generate(decoder: &beam, inputs: [GenerationInput()], options: scriptedOptions {
            $0.numBeams = 2; $0.numReturnSequences = 2; $0.maxNewTokens = 1
        })
        #expect(b[0].map(\.ids) == [[2], [3]])
    }

    @Test func minLengthBlocksEOS() throws {
        let eosFirst = logits(5, [1: 2, 3: 0])
        func run(_ edit: @escaping (inout GenerationOptions) -> Void) throws -> [Hypothesis] {
            var d = ScriptedDecoder(vocabularySize: 5, inputs: 1) { _, _ in eosFirst }
            return try Generation.generate(decoder: &d, inputs: [GenerationInput()],
                                           options: scriptedOptions { $0.maxNewTokens = 10; edit(&$0) })[0]
        }
        #expect(try run { _ in }[0].ids == [1])
        #expect(try run { $0.minNewTokens = 3 }[0].ids == [3, 3, 3, 1])
        #expect(try run { $0.minLength = 3 }[0].ids == [3, 3, 1])  // min_length counts the start token
        let beams = try run { $0.minNewTokens = 2; $0.numBeams = 2; $0.numReturnSequences = 2 }
        #expect(beams[0].ids == [3, 3, 1])
        #expect(beams.allSatisfy { !$0.ids.prefix(2).contains(1) })
    }

    @Test func severalEOSIds() throws {
        let table: @Sendable (Int, [Int32]) -> [Float] = { _, prefix in
            prefix.count == 1 ? logits(6, [3: 1]) : logits(6, [4: 1, 5: 0.5])
        }
        var d = ScriptedDecoder(vocabularySize: 6, inputs: 1, table: table)
        let out = try Generation.generate(decoder: &d, inputs: [GenerationInput()],
                                          options: scriptedOptions { $0.eosTokenId = [1, 4]; $0.maxNewTokens = 8 })
        #expect(out[0][0].ids == [3, 4])
        #expect(d.rowsPerStep.count == 2)
    }

    @Test func greedyBatchDropsFinishedInputs() throws {
        let table: @Sendable (Int, [Int32]) -> [Float] = { input, _ in
            input == 0 ? logits(5, [1: 3]) : logits(5, [2: 1, 3: 0.5])
        }
        var d = ScriptedDecoder(vocabularySize: 5, inputs: 2, table: table)
        let out = try Generation.generate(decoder: &d, inputs: [GenerationInput(), GenerationInput()],
                                          options: scriptedOptions { $0.maxNewTokens = 4 })
        #expect(out.map { $0[0].ids } == [[1], [2, 2, 2, 2]])
        #expect(d.rowsPerStep == [2, 1, 1, 1])
        #expect(d.reorders == [[1]])
    }

    @Test func beamBatchDropsFinishedInputs() throws {
        let table: @Sendable (Int, [Int32]) -> [Float] = { input, prefix in
            input == 0 ? logits(6, [1: 3, 2: 2.5]) : logits(6, [3: Float(prefix.count % 2), 4: 0.4, 5: 0.2])
        }
        var d = ScriptedDecoder(vocabularySize: 6, inputs: 2, table: table)
        let out = try Generation.generate(decoder: &d, inputs: [GenerationInput(), GenerationInput()],
                                          options: scriptedOptions {
                                              $0.eosTokenId = [1, 2]; $0.numBeams = 2; $0.maxNewTokens = 4
                                          })
        #expect(out[0][0].ids == [1])
        #expect(out[1][0].ids.count == 4)
        // Step 1: one row per input. Input 0 is final after it, so only input 1's two beams continue.
        #expect(d.rowsPerStep == [2, 2, 2, 2])
        #expect(d.reorders.first == [1, 1])
    }

    @Test func earlyStoppingModesStopAtDifferentSteps() throws {
        let table: @Sendable (Int, [Int32]) -> [Float] = { _, _ in logits(6, [1: 0, 3: -3, 4: -3.2]) }
        func steps(_ mode: EarlyStopping) throws -> (Int, [Hypothesis]) {
            var d = ScriptedDecoder(vocabularySize: 6, inputs: 1, table: table)
            let out = try Generation.generate(decoder: &d, inputs: [GenerationInput()], options: scriptedOptions {
                $0.numBeams = 2; $0.numReturnSequences = 2; $0.maxNewTokens = 8; $0.earlyStopping = mode
            })
            return (d.rowsPerStep.count, out[0])
        }
        let (full, fullOut) = try steps(.whenFull)
        let (heuristic, _) = try steps(.heuristic)
        let (never, neverOut) = try steps(.never)
        #expect(full == 2)
        #expect(heuristic >= full)
        #expect(never > heuristic)
        #expect(never < 8)
        #expect((neverOut[0].score ?? 0) >= (fullOut[0].score ?? 0))
    }
}
