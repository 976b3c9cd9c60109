import Foundation
import LMModel
import Testing
import LMInput

/// Hostile or broken config.json files fail with an error before anything is allocated from them.
@Suite struct ModelLimitsTests {
    func folder(config: [String: Any]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lmcore-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("config.json"))
        return dir.path
    }

    nonisolated(unsafe) static let marian: [String: Any] = [
        "model_type": "marian", "d_model": 32, "encoder_layers": 1, "decoder_layers": 1,
        "encoder_attention_heads": 4, "decoder_attention_heads": 4, "encoder_ffn_dim": 64, "decoder_ffn_dim": 64,
        "vocab_size": 50, "max_position_embeddings": 64, "pad_token_id": 49, "decoder_start_token_id": 49,
        "eos_token_id": 0,
    ]

    @Test(arguments: [
        ("max_position_embeddings", 1 << 30, "max_position_embeddings"),
        ("d_model", 1 << 20, "d_model"),
        ("vocab_size", 1 << 30, "vocab_size"),
        ("encoder_layers", 100_000, "encoder layers"),
        ("encoder_ffn_dim", 1 << 28, "encoder ffn dim"),
    ])
    func oversizedDimensionsAreUnsupported(field: String, value: Int, named: String) throws {
        var config = Self.marian
        config[field] = value
        if field == "d_model" { config["encoder_attention_heads"] = 4; config["decoder_attention_heads"] = 4 }
        let path = try folder(config: config)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try Seq2SeqModel.load(directory: path)
        } throws: { error in
            guard case InputError.unsupported(let message) = error else { return false }
            return message.contains(named)
        }
    }

    /// Found by Tests/Fuzz (model case 1943267341): an eos_token_id of 2^40 loaded, and
    /// lmcore_model_get_info trapped converting it to int32_t.
    @Test(arguments: [("eos_token_id", 1 << 40), ("eos_token_id", -(1 << 33)), ("bos_token_id", 1 << 32)])
    func tokenIdsBeyond32BitsAreFormatErrors(field: String, value: Int) throws {
        var config = Self.marian
        config[field] = field == "eos_token_id" ? [0, value] : value
        #expect {
            try Seq2SeqModel.architectureConfig(
                ConfigFile.parse(Array(try JSONSerialization.data(withJSONObject: config)), path: "config.json"))
        } throws: { error in
            guard case InputError.format(let message) = error else { return false }
            return message.contains(field) && message.contains("32-bit")
        }
    }

    @Test func hugeSinusoidalTableIsRefused() throws {
        var config = Self.marian
        config["d_model"] = 4096
        config["encoder_attention_heads"] = 8
        config["decoder_attention_heads"] = 8
        config["max_position_embeddings"] = 1 << 20
        let path = try folder(config: config)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: InputError.self) { try Seq2SeqModel.load(directory: path) }
    }

    @Test func inputLongerThanPositionsIsAnError() throws {
        let model = try Seq2SeqModel.load(directory: Fixtures.path("models/marian-swish-tied"))
        let long = [Int32](repeating: 5, count: model.config.maxPositions + 1)
        #expect(throws: InputError.self) { try model.encode([long]) }
        #expect(throws: InputError.self) { try model.encode([[]]) }
        #expect(throws: InputError.self) { try model.encode([]) }
    }

    @Test func decodingPastThePositionTableIsAnError() throws {
        let model = try Seq2SeqModel.load(directory: Fixtures.path("models/marian-swish-tied"))
        let state = try model.startDecoding(try model.encode([[5, 0]]))
        for _ in 0..<model.config.maxPositions { _ = try state.step([95]) }
        #expect(throws: InputError.self) { try state.step([95]) }
    }
}
