import Foundation
import LMInput
import LMModel
import Testing

/// rnn_seq2seq config.json keys and checkpoint checks: unknown values and inconsistent layouts are
/// clear errors naming the key or tensor, never a crash (the fixtures' own configs load).
@Suite struct RecurrentConfigTests {
    /// A copy of fixture `variant` with config.json fields replaced (nil removes a field).
    static func edited(_ variant: String, _ edit: [String: Any?]) throws -> String {
        let source = Fixtures.path("models/\(variant)")
        let folder = NSTemporaryDirectory() + "lmcore-rnn-config-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: source, toPath: folder)
        let path = folder + "/config.json"
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
            as? [String: Any])
        for (key, value) in edit { config[key] = value ?? nil }
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        return folder
    }

    static func loadError(_ folder: String) -> (kind: String, message: String)? {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            _ = try Seq2SeqModel.load(directory: folder)
            return nil
        } catch let error as InputError {
            switch error {
            case .unsupported(let m): return ("unsupported", m)
            case .format(let m): return ("format", m)
            case .io(let m): return ("io", m)
            case .invalidArgument(let m): return ("invalidArgument", m)
            }
        } catch {
            return ("other", "\(error)")
        }
    }

    nonisolated(unsafe) static let cases: [(String, [String: Any?], String, String)] = [
        ("rnn-gru-bahdanau-bi", ["cell": "rnn"], "unsupported", "cell 'rnn' is not supported"),
        ("rnn-gru-bahdanau-bi", ["attention": "luong"], "unsupported", "attention 'luong'"),
        ("rnn-gru-bahdanau-bi", ["bridge": "mean"], "unsupported", "bridge 'mean'"),
        ("rnn-gru-bahdanau-bi", ["input_feeding": true], "unsupported", "input_feeding needs a Luong attention"),
        ("rnn-gru-dot-3layer", ["decoder_layers": 2], "unsupported", "decoder_layers (2) must equal num_layers (3)"),
        ("rnn-gru-bahdanau-bi", ["hidden_size": 1 << 40], "unsupported", "hidden_size 1099511627776 is larger than lmcore's limit 32768"),
        ("rnn-gru-bahdanau-bi", ["num_layers": 100_000], "unsupported", "num_layers 100000 is larger than lmcore's limit 1024"),
        ("rnn-gru-bahdanau-bi", ["decoder_layers": 5000], "unsupported", "decoder_layers 5000 is larger"),
        ("rnn-gru-bahdanau-bi", ["cell": "lstm"], "format", "encoder.rnn.weight_ih_l0"),
        ("rnn-gru-bahdanau-bi", ["hidden_size": 11], "format", "encoder.rnn.weight_ih_l0"),
        ("rnn-gru-bahdanau-bi", ["vocab_size": 41], "format", "vocab_size 41"),
        ("rnn-gru-bahdanau-bi", ["num_layers": 2], "format", "weight_ih_l1"),
        ("rnn-gru-bahdanau-bi", ["cell": nil], "format", "required field 'cell'"),
        ("rnn-gru-bahdanau-bi", ["hidden_size": "10"], "format", "'hidden_size' must be an integer"),
        ("rnn-gru-bahdanau-bi", ["pad_token_id": 36], "format", "pad_token_id 36 is outside the decoder vocabulary"),
        ("rnn-gru-bahdanau-bi", ["weight_map": ["decoder.fc_out.weight": "nope"]], "format", "'decoder.fc_out.weight' (checkpoint key 'nope' by weight_map) is missing"),
        ("rnn-gru-bahdanau-bi", ["weight_map": ["decoder.extra.weight": "decoder.fc_out.weight"]], "format", "weight_map maps 'decoder.extra.weight'"),
        ("rnn-gru-bahdanau-bi", ["weight_map": ["x": 5]], "format", "weight_map entry 'x' must be a tensor name"),
        ("rnn-gru-dot-3layer", ["bidirectional_encoder": true], "format", "_reverse"),
        ("rnn-lstm-concat-zeros-feed", ["attention": "luong_dot"], "format", "luong_dot scores"),
    ]

    @Test(arguments: cases.indices)
    func badConfigsAreClearErrors(index: Int) throws {
        let (variant, edit, kind, fragment) = Self.cases[index]
        let error = try #require(Self.loadError(try Self.edited(variant, edit)), "\(edit) loaded")
        #expect(error.kind == kind && error.message.contains(fragment), "\(edit): \(error)")
    }
}
