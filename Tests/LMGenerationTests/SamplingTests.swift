import Foundation
import LMGeneration
import Testing

/// Sampling cannot reproduce torch's random stream; these tests check reproducibility, the warpers' sets
/// and the sampled distributions (within stated statistical tolerances).
@Suite("Sampling")
struct SamplingTests {
    static let fixed = logits(8, [1: -4, 2: 1.0, 3: 0.6, 4: 0.2, 5: -0.3, 6: -1, 7: -2])

    static func sample(_ edit: (inout GenerationOptions) -> Void, inputs: Int = 1,
                       table: @escaping @Sendable (Int, [Int32]) -> [Float] = { _, _ in SamplingTests.fixed })
        throws -> [[Hypothesis]] {
        var d = ScriptedDecoder(vocabularySize: 8, inputs: inputs, table: table)
        return try Generation.generate(decoder: &d, inputs: Array(repeating: GenerationInput(), count: inputs),
                                       options: scriptedOptions {
                                           $0.doSample = true; $0.topK = 0; $0.maxNewTokens = 20; $0.seed = 7
                                           edit(&$0)
                                       })
    }

    @Test func reproducibleForASeedAndDifferentAcrossSeeds() throws {
        let a = try SamplingTests.sample({ $0.numReturnSequences = 4 }, inputs: 2)
        let b = try SamplingTests.sample({ $0.numReturnSequences = 4 }, inputs: 2)
        let c = try SamplingTests.sample({ $0.numReturnSequences = 4; $0.seed = 8 }, inputs: 2)
        #expect(a == b)
        #expect(a != c)
        // The samples of one input differ from each other (independent streams).
        #expect(Set(a[0].map(\.ids)).count > 1)
    }

    @Test func topKOneIsGreedy() throws {
        let table: @Sendable (Int, [Int32]) -> [Float] = { _, prefix in
            (0..<8).map { Float(HashStepDecoder.hash16(3, 1, prefix.count * 8 + Int(prefix.last ?? 0), $0)) / 9000 }
        }
        let sampled = try SamplingTests.sample({ $0.topK = 1; $0.numReturnSequences = 3 }, table: table)
        var d = ScriptedDecoder(vocabularySize: 8, inputs: 1, table: table)
        let greedy = try Generation.generate(decoder: &d, inputs: [GenerationInput()],
                                             options: scriptedOptions { $0.maxNewTokens = 20 })
        #expect(sampled[0].allSatisfy { $0.ids == greedy[0][0].ids })
    }

    /// Empirical token frequencies against the renormalised softmax. With n draws a frequency has standard
    /// deviation sqrt(p(1−p)/n) ≤ 0.5/sqrt(n); the tolerance is 5 standard deviations (false alarm < 1e-6).
    static func checkDistribution(_ hyps: [Hypothesis], expected: [Int: Double]) {
        var counts: [Int: Int] = [:]
        var n = 0
        for h in hyps { for t in h.ids { counts[Int(t), default: 0] += 1; n += 1 } }
        let tolerance = 5 * 0.5 / Double(n).squareRoot()
        for t in counts.keys {
            #expect(expected[t] != nil, "token \(t) outside the allowed set was sampled")
        }
        for (t, p) in expected {
            let f = Double(counts[t, default: 0]) / Double(n)
            #expect(abs(f - p) < tolerance, "token \(t): frequency \(f), expected \(p) ± \(tolerance)")
        }
    }

    static func softmax(_ tokens: [Int], temperature: Double = 1) -> [Int: Double] {
        let xs = tokens.map { Double(fixed[$0]) / temperature }
        let m = xs.max() ?? 0
        let e = xs.map { Foundation.exp($0 - m) }
        let s = e.reduce(0, +)
        return Dictionary(uniqueKeysWithValues: zip(tokens, e.map { $0 / s }))
    }

    @Test func topKDistribution() throws {
        let hyps = try SamplingTests.sample({ $0.topK = 3; $0.numReturnSequences = 200; $0.eosTokenId = [] })
        SamplingTests.checkDistribution(hyps[0], expected: SamplingTests.softmax([2, 3, 4]))
    }

    @Test func topPDistribution() throws {
        // Probabilities of 2, 3, 4, 5 are about .35, .24, .16, .09: the smallest set above 0.7 is {2, 3, 4}.
        let hyps = try SamplingTests.sample({ $0.topP = 0.7; $0.numReturnSequences = 200; $0.eosTokenId = [] })
        SamplingTests.checkDistribution(hyps[0], expected: SamplingTests.softmax([2, 3, 4]))
    }

    @Test func temperatureDistribution() throws {
        let hyps = try SamplingTests.sample({
            $0.temperature = 0.5; $0.topK = 4; $0.numReturnSequences = 200; $0.eosTokenId = []
        })
        SamplingTests.checkDistribution(hyps[0], expected: SamplingTests.softmax([2, 3, 4, 5], temperature: 0.5))
    }

    @Test func fullDistributionWithoutWarpers() throws {
        let hyps = try SamplingTests.sample({ $0.numReturnSequences = 300; $0.eosTokenId = [] })
        SamplingTests.checkDistribution(hyps[0], expected: SamplingTests.softmax(Array(0..<8)))
    }

    @Test func typicalKeepsAStrictSubset() throws {
        let hyps = try SamplingTests.sample({ $0.typicalP = 0.5; $0.numReturnSequences = 50; $0.eosTokenId = [] })
        let used = Set(hyps[0].flatMap(\.ids))
        #expect(used.count < 8 && !used.isEmpty)
    }

    @Test func sampledScoresAreLogProbsOfTheWarpedDistribution() throws {
        let hyps = try SamplingTests.sample({ $0.topK = 3; $0.numReturnSequences = 5; $0.maxNewTokens = 4 })
        let expected = SamplingTests.softmax([2, 3, 4])
        for h in hyps[0] {
            for (t, lp) in zip(h.ids, h.tokenLogProbs ?? []) {
                #expect(abs(Double(lp) - Foundation.log(expected[Int(t)] ?? 0)) < 1e-5)
            }
            #expect(abs((h.score ?? 0) - (h.tokenLogProbs ?? []).reduce(0, +)) < 1e-5)
        }
    }

    @Test func beamSampling() throws {
        let table: @Sendable (Int, [Int32]) -> [Float] = { _, prefix in
            var row = (0..<8).map { Float(HashStepDecoder.hash16(5, 1, Int(prefix.last ?? 0), $0)) / 12000 }
            row[1] += Float(prefix.count) - 4
            return row
        }
        let run = { (seed: UInt64) in
            try SamplingTests.sample({ $0.numBeams = 3; $0.numReturnSequences = 3; $0.seed = seed; $0.topK = 5 },
                                     inputs: 2, table: table)
        }
        let a = try run(1), b = try run(1)
        #expect(a == b)
        for hyps in a {
            #expect(hyps.count == 3)
            #expect(zip(hyps, hyps.dropFirst()).allSatisfy { ($0.score ?? 0) >= ($1.score ?? 0) })
        }
        var differs = false
        for seed in 2...6 where try run(UInt64(seed)) != a { differs = true }
        #expect(differs)
    }

    @Test func allTokensSuppressedIsAnErrorNotACrash() {
        #expect(throws: GenerationError.self) {
            _ = try SamplingTests.sample({ $0.suppressTokens = Array(0..<8) })
        }
    }
}
