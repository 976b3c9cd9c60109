import Foundation
import Testing

/// Paths into Tests/Fixtures, found from this file's location (no SwiftPM resources).
enum Fixtures {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests" && url.path != "/" { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Fixtures").path
    }()

    static func path(_ relative: String) -> String { root + "/" + relative }

    /// The tiny model variants made by Tests/Generator/gen_models.py and gen_rnn_models.py.
    static let modelVariants = recurrentVariants + ["marian-swish-tied", "marian-relu-untied", "bart-gelu-tied",
                                "bart-gelunew-untied", "mbart-gelu-tied", "mbart-relu-untied",
                                "t5-relu-tied", "t5-gatedgelu-untied", "t5-gatedsilu-tied", "mt5-gatedgelu-untied",
                                "m2m100-relu-tied", "m2m100-gelu-untied", "pegasus-gelu-tied"]
    static let recurrentVariants = ["rnn-gru-bahdanau-bi", "rnn-gru-bahdanau-2x3", "rnn-lstm-bahdanau-final",
                                    "rnn-lstm-general-feed-bi", "rnn-gru-dot-3layer", "rnn-lstm-concat-zeros-feed",
                                    "rnn-lstm-none-npz", "rnn-gru-none-bi-linear"]
}

/// HF transformers' outputs for one tiny model (goldens.json).
struct ModelGoldens: Decodable {
    struct Input: Decodable {
        let source_ids: [Int32]
        let embeddings: [[Float]]
        let encoder_layers: [[[Float]]]
        let encoder_output: [[Float]]
        let decoder_input_ids: [Int32]
        let decoder_logits: [[Float]]
        let greedy: [Int32]
        let greedy_fixed: [Int32]
    }
    let model_type: String
    let natural_max_new_tokens: Int
    let fixed_new_tokens: Int
    /// An input holding pad tokens and its embedding output (fairseq-position models only).
    struct PaddedInput: Decodable {
        let source_ids: [Int32]
        let embeddings: [[Float]]
    }
    let inputs: [Input]
    let batched_greedy: [[Int32]]
    let padded_input: PaddedInput?

    static func load(_ variant: String) throws -> ModelGoldens {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("models/\(variant)/goldens.json")))
        return try JSONDecoder().decode(ModelGoldens.self, from: data)
    }
}

/// Compares `actual` with `expected` element-wise; on failure reports the largest difference,
/// where it is, and the first values of both (llm.c's check_tensor).
func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Float, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    var worst: Float = 0, worstIndex = 0
    for i in 0..<actual.count {
        let d = abs(actual[i] - expected[i])
        if !(d <= worst) { worst = d; worstIndex = i }
    }
    if !(worst <= tolerance) {
        let head = min(5, actual.count)
        Issue.record("""
            \(what): max |diff| \(worst) at index \(worstIndex) (actual \(actual[worstIndex]), expected \
            \(expected[worstIndex])) > \(tolerance); first actual \(Array(actual[0..<head])), first expected \
            \(Array(expected[0..<head]))
            """, sourceLocation: sourceLocation)
    }
}
