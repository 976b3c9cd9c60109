import Foundation
import LMCore
import LMGeneration
import Testing

/// Greedy generation through the Swift API against HF generate on the tiny checkpoints.
@Suite struct GenerateFixtureTests {
    @Test(arguments: CoreFixtures.modelVariants)
    func greedyMatchesReference(variant: String) throws {
        let goldens = try CoreFixtures.goldens(variant)
        let model = try Model.load(path: CoreFixtures.path("models/\(variant)"), options: ModelOptions(threads: 2))
        for (i, input) in goldens.inputs.enumerated() {
            var natural = GenerationOptions()
            natural.maxNewTokens = goldens.natural_max_new_tokens
            let got = try model.generate([input.source_ids], options: natural)
            #expect(got[0][0].ids == input.greedy, "\(variant) input \(i) natural EOS")

            var fixed = GenerationOptions()
            fixed.maxNewTokens = goldens.fixed_new_tokens
            fixed.minNewTokens = goldens.fixed_new_tokens
            let gotFixed = try model.generate([input.source_ids], options: fixed)
            #expect(gotFixed[0][0].ids == input.greedy_fixed, "\(variant) input \(i) fixed length")
        }
    }

    @Test(arguments: CoreFixtures.modelVariants)
    func batchedGreedyMatchesReference(variant: String) throws {
        let goldens = try CoreFixtures.goldens(variant)
        let model = try Model.load(path: CoreFixtures.path("models/\(variant)"))
        var options = GenerationOptions()
        options.maxNewTokens = goldens.natural_max_new_tokens
        let got = try model.generate(goldens.inputs.map(\.source_ids), options: options)
        #expect(got.map { $0[0].ids } == goldens.batched_greedy)
    }
}

enum CoreFixtures {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests" && url.path != "/" { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Fixtures").path
    }()

    static func path(_ relative: String) -> String { root + "/" + relative }

    /// Every tiny checkpoint made by gen_models.py (folders with goldens.json).
    static let modelVariants: [String] = {
        let models = root + "/models"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: models)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: "\(models)/\($0)/goldens.json") }.sorted()
    }()

    struct Goldens: Decodable {
        struct Input: Decodable {
            let source_ids: [Int32]
            let greedy: [Int32]
            let greedy_fixed: [Int32]
        }
        let natural_max_new_tokens: Int
        let fixed_new_tokens: Int
        let inputs: [Input]
        let batched_greedy: [[Int32]]
    }

    static func goldens(_ variant: String) throws -> Goldens {
        let data = try Data(contentsOf: URL(fileURLWithPath: path("models/\(variant)/goldens.json")))
        return try JSONDecoder().decode(Goldens.self, from: data)
    }
}
