import Foundation
import LMCore
import Testing

/// The bundled default model (models/numbers-7lang) against HF transformers' outputs on its whole
/// held-out split (eval/hf_beam4.jsonl, written by models/train/evaluate.py): the same source ids,
/// the same generated ids, text and sequence score, and the accuracy the README reports.
@Suite struct DefaultModelTests {
    static let folder: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests" && url.path != "/" { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().appendingPathComponent("models/numbers-7lang").path
    }()

    struct HFOutput: Decodable {
        let input_ids: [Int32]
        /// Starts with the decoder start token (HF's `generate` output as is).
        let ids: [Int32]
        let text: String
        let score: Float
    }

    /// hf_greedy.jsonl records the output only.
    struct HFGreedyOutput: Decodable {
        let ids: [Int32]
        let text: String
    }

    struct Example {
        let source: String
        let reference: String
    }

    /// heldout.tsv: lang, number, source, reference (with a header line).
    static func heldout() throws -> [Example] {
        let text = try String(contentsOfFile: folder + "/eval/heldout.tsv", encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            return Example(source: String(fields[2]), reference: String(fields[3]))
        }
    }

    static func jsonLines<T: Decodable>(_ name: String, as type: T.Type) throws -> [T] {
        let text = try String(contentsOfFile: folder + "/eval/" + name, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }

    @Test func beamSearchMatchesTransformersOnTheWholeHeldOutSplit() throws {
        let examples = try Self.heldout()
        let reference = try Self.jsonLines("hf_beam4.jsonl", as: HFOutput.self)
        #expect(examples.count == 1400)
        try #require(reference.count == examples.count)

        let model = try Model.load(path: Self.folder)
        let tokenizer = try model.requireTokenizer()
        // generation_config.json's defaults (num_beams 4, max_length 512, forced EOS, ...), batched.
        let outputs = try model.translate(examples.map(\.source))
        var mismatches = 0
        var correct = 0
        for (i, (example, hf)) in zip(examples, reference).enumerated() {
            let sourceIds = try tokenizer.encode(example.source).ids
            let best = try #require(outputs[i].first)
            let same = sourceIds == hf.input_ids && best.ids == Array(hf.ids.dropFirst()) && best.text == hf.text
                && abs((best.score ?? .nan) - hf.score) <= 1e-4
            if !same {
                mismatches += 1
                if mismatches <= 5 {
                    Issue.record("""
                        \(example.source): lmcore \(sourceIds) -> \(best.ids) "\(best.text)" score \(best.score ?? .nan); \
                        transformers \(hf.input_ids) -> \(hf.ids.dropFirst()) "\(hf.text)" score \(hf.score)
                        """)
                }
            }
            if best.text == example.reference { correct += 1 }
        }
        #expect(mismatches == 0)
        // README and eval/metadata.json: 99.79% exact match with beam 4 (1397 of 1400).
        let accuracy = Double(correct) / Double(examples.count)
        #expect(accuracy >= 0.95)
        #expect(correct == 1397)
    }

    @Test func greedyMatchesTransformersOnAHeldOutSample() throws {
        let examples = try Self.heldout()
        let reference = try Self.jsonLines("hf_greedy.jsonl", as: HFGreedyOutput.self)
        try #require(reference.count == examples.count)
        let model = try Model.load(path: Self.folder)
        var options = GenerationOptions()
        options.numBeams = 1
        // Every 7th example: all seven languages, 200 inputs.
        let picked = Array(stride(from: 0, to: examples.count, by: 7))
        let outputs = try model.translate(picked.map { examples[$0].source }, options: options)
        for (k, i) in picked.enumerated() {
            #expect(outputs[k][0].ids == Array(reference[i].ids.dropFirst()), "\(examples[i].source)")
            #expect(outputs[k][0].text == reference[i].text, "\(examples[i].source)")
        }
    }

    @Test func demoSamplesTranslateCorrectly() throws {
        struct Sample: Decodable {
            let source: String
            let reference: String
        }
        let samples = try Self.jsonLines("samples.jsonl", as: Sample.self)
        let demoInputs = try String(contentsOfFile: Self.folder + "/samples.txt", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(demoInputs == samples.map(\.source), "samples.txt (the demo's inputs) follows eval/samples.jsonl")
        let model = try Model.load(path: Self.folder)
        let outputs = try model.translate(demoInputs)
        #expect(outputs.map { $0[0].text } == samples.map(\.reference))
    }
}
