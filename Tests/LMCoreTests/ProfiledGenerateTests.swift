import Foundation
import LMCore
import LMGeneration
import Testing

/// `profiledGenerate` (the timings behind `lmcore-cli bench`'s search-bookkeeping figure): the same
/// results as `generate`, every decoder step counted, and a consistent split of the time. No
/// thresholds on time itself: speed targets live in the benchmarks.
@Suite struct ProfiledGenerateTests {
    @Test(arguments: CoreFixtures.modelVariants)
    func sameResultsAndACompleteSplit(variant: String) throws {
        let goldens = try CoreFixtures.goldens(variant)
        let model = try Model.load(path: CoreFixtures.path("models/\(variant)"), options: ModelOptions(threads: 2))
        let sources = goldens.inputs.map(\.source_ids)
        for beams in [1, 4] {
            var options = GenerationOptions()
            options.numBeams = beams
            options.maxNewTokens = goldens.fixed_new_tokens
            options.minNewTokens = goldens.fixed_new_tokens
            options.outputScores = true
            let plain = try model.generate(sources, options: options)
            let (results, timings) = try model.profiledGenerate(sources, options: options)
            #expect(results == plain, "\(variant) beams \(beams)")
            // min = max new tokens: one decoder step per generated token.
            #expect(timings.steps == goldens.fixed_new_tokens, "\(variant) beams \(beams)")
            #expect(timings.encoderSeconds > 0 && timings.decoderStepSeconds > 0)
            #expect(timings.searchSeconds >= 0 && timings.reorderSeconds >= 0)
            #expect(timings.bookkeepingShare >= 0 && timings.bookkeepingShare < 1)
        }
    }

    @Test func errorsStillSurface() throws {
        let variant = try #require(CoreFixtures.modelVariants.first)
        let model = try Model.load(path: CoreFixtures.path("models/\(variant)"))
        #expect(throws: LMCoreError.self) { try model.profiledGenerate([[Int32.max]]) }
    }
}
