import Foundation
import LMCore
import Testing

/// The bundled default model (models/numbers-7lang) against HF transformers' outputs on its whole
/// held-out split (eval/hf_beam4.jsonl, written by models/train/evaluate.py): the same source ids,
/// the same generated ids, text and sequence score, and the accuracy the README reports, which
/// must hold in every (language, digit count) bucket of the advertised range 0 <= n < 10^7.
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
        let lang: String
        let number: String
        let source: String
        let reference: String

        /// The accuracy bucket: language and digit count, e.g. "nl/2".
        var bucket: String { "\(lang)/\(number.count)" }
    }

    /// heldout.tsv: lang, number, source, reference (with a header line).
    static func heldout() throws -> [Example] {
        let text = try String(contentsOfFile: folder + "/eval/heldout.tsv", encoding: .utf8)
        return try text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            try #require(fields.count == 4, "heldout.tsv line: \(line)")
            return Example(lang: fields[0], number: fields[1], source: fields[2], reference: fields[3])
        }
    }

    /// eval/metadata.json's exact-match table for one mode: key -> (correct, total), keys "all",
    /// a language, "N_digits" and "lang/N" buckets, as HF transformers scored the split.
    static func referenceAccuracy(_ mode: String) throws -> [String: (correct: Int, total: Int)] {
        struct Cell: Decodable { let correct: Int; let total: Int }
        struct Metadata: Decodable { let exact_match: [String: [String: Cell]] }
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/eval/metadata.json"))
        let table = try #require(try JSONDecoder().decode(Metadata.self, from: data).exact_match[mode])
        return table.mapValues { ($0.correct, $0.total) }
    }

    /// The split is stratified: 7 languages x 7 digit counts, as models/train/data.py draws it.
    static let buckets = ["en", "fr", "de", "es", "it", "pt", "nl"].flatMap { lang in (1...7).map { "\(lang)/\($0)" } }

    /// Per-bucket exact match of `texts` against the references; every bucket must be >= 99%
    /// and equal to what transformers scored (metadata.json).
    static func checkBuckets(_ examples: [Example], _ texts: [String], mode: String) throws {
        let reference = try referenceAccuracy(mode)
        var correct: [String: Int] = [:]
        var total: [String: Int] = [:]
        for (example, text) in zip(examples, texts) {
            total[example.bucket, default: 0] += 1
            if text == example.reference { correct[example.bucket, default: 0] += 1 }
        }
        #expect(Set(total.keys) == Set(buckets))
        for bucket in buckets {
            let n = total[bucket] ?? 0, c = correct[bucket] ?? 0
            #expect(n > 0 && Double(c) >= 0.99 * Double(n), "\(mode) \(bucket): \(c)/\(n) exact, below 99%")
            #expect(reference[bucket].map { $0 == (c, n) } ?? false,
                    "\(mode) \(bucket): lmcore \(c)/\(n), transformers \(String(describing: reference[bucket]))")
        }
        let all = correct.values.reduce(0, +)
        #expect(reference["all"].map { $0 == (all, examples.count) } ?? false)
    }

    static func jsonLines<T: Decodable>(_ name: String, as type: T.Type) throws -> [T] {
        let text = try String(contentsOfFile: folder + "/eval/" + name, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }

    @Test func beamSearchMatchesTransformersOnTheWholeHeldOutSplit() throws {
        let examples = try Self.heldout()
        let reference = try Self.jsonLines("hf_beam4.jsonl", as: HFOutput.self)
        #expect(examples.count == 3584)
        try #require(reference.count == examples.count)

        let model = try Model.load(path: Self.folder)
        let tokenizer = try model.requireTokenizer()
        // generation_config.json's defaults (num_beams 4, max_length 512, forced EOS, ...), batched.
        let outputs = try model.translate(examples.map(\.source))
        var mismatches = 0
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
        }
        #expect(mismatches == 0)
        try Self.checkBuckets(examples, outputs.map { $0.first?.text ?? "" }, mode: "beam4")
    }

    @Test func greedyMatchesTransformersOnTheWholeHeldOutSplit() throws {
        let examples = try Self.heldout()
        let reference = try Self.jsonLines("hf_greedy.jsonl", as: HFGreedyOutput.self)
        try #require(reference.count == examples.count)
        let model = try Model.load(path: Self.folder)
        var options = GenerationOptions()
        options.numBeams = 1
        let outputs = try model.translate(examples.map(\.source), options: options)
        var mismatches = 0
        for (i, example) in examples.enumerated() {
            let best = try #require(outputs[i].first)
            if best.ids != Array(reference[i].ids.dropFirst()) || best.text != reference[i].text {
                mismatches += 1
                if mismatches <= 5 {
                    Issue.record("\(example.source): lmcore \(best.ids) \"\(best.text)\", transformers \(reference[i].ids.dropFirst())")
                }
            }
        }
        #expect(mismatches == 0)
        try Self.checkBuckets(examples, outputs.map { $0.first?.text ?? "" }, mode: "greedy")
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
