import Foundation
import LMModel
import LMTensor
import Testing
import LMInput

/// lmcore accepts exactly the safetensors files the reference library accepts (Tests/Fixtures/weights/
/// conformance, verdicts recorded by gen_weights.py from `safetensors.safe_open`), with the same tensor
/// names and shapes; the one intended difference is that duplicate tensor names are always rejected.
@Suite struct WeightsConformanceTests {
    struct Verdict: Decodable, Sendable {
        let accepted: Bool
        let tensors: [String: [Int]]?
        let error: String?
        let lmcoreRejectsDuplicates: Bool

        enum CodingKeys: String, CodingKey {
            case accepted, tensors, error
            case lmcoreRejectsDuplicates = "lmcore_rejects_duplicates"
        }
    }

    struct File: Decodable {
        let tensors: [String: Verdict]
    }

    static let verdicts: [String: Verdict] = {
        let url = URL(fileURLWithPath: WeightsFixtures.path("conformance.expected.json"))
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else {
            return [:]
        }
        return file.tensors
    }()

    @Test func everyCaseHasAVerdict() {
        #expect(Self.verdicts.count >= 40)
        #expect(Self.verdicts.values.contains { $0.accepted } && Self.verdicts.values.contains { !$0.accepted })
    }

    @Test(arguments: verdicts.keys.sorted())
    func agreesWithTheReference(name: String) throws {
        let verdict = try #require(Self.verdicts[name])
        let path = WeightsFixtures.path("conformance/\(name).safetensors")
        do {
            let store = try WeightStore.open(files: [path])
            #expect(verdict.accepted && !verdict.lmcoreRejectsDuplicates,
                    "lmcore accepts a file the reference rejects (\(verdict.error ?? ""))")
            let shapes = Dictionary(uniqueKeysWithValues: store.keys.map { ($0, store.info($0)?.shape ?? []) })
            #expect(shapes == verdict.tensors ?? [:])
        } catch let error as InputError {
            #expect(!verdict.accepted || verdict.lmcoreRejectsDuplicates, "lmcore rejects a file the reference accepts: \(error)")
            #expect(error.isFormat, "\(error)")
            #expect(error.description.hasPrefix(path + ": "), "\(error)")
            if verdict.lmcoreRejectsDuplicates {
                #expect(error.description.contains("duplicate member 'a'"), "\(error)")
            }
        }
    }
}
