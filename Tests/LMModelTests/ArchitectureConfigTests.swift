import Foundation
import LMInput
import LMModel
import LMTensor
import Testing

/// config.json → ModelConfig for T5, mT5, M2M100 and Pegasus: transformers 5.23's defaults,
/// precedence rules and tying, and clear errors for what is not supported.
@Suite struct ArchitectureConfigTests {
    static func config(_ json: String) throws -> ModelConfig {
        try Seq2SeqModel.architectureConfig(ConfigFile.parse(Array(json.utf8), path: "config.json"))
    }

    @Test func t5DefaultsAreT5Config() throws {
        let c = try Self.config(#"{"model_type": "t5"}"#)
        #expect(c.dModel == 512 && c.encoder.headDim == 64 && c.encoder.heads == 8 && c.encoder.ffnDim == 2048)
        #expect(c.encoder.layers == 6 && c.decoder.layers == 6 && c.vocabSize == 32128)
        #expect(c.activation == .relu && !c.gatedFeedForward)
        #expect(c.positions == .relativeBias(numBuckets: 32, maxDistance: 128))
        #expect(c.normalization == .rmsNorm && c.normEpsilon == 1e-6 && c.preNorm && !c.scaleAttention && !c.linearBias)
        #expect(c.outputScale == 1 / Float(512).squareRoot())
        #expect(c.padTokenId == 0 && c.eosTokenIds == [1] && c.decoderStartTokenId == 0 && c.bosTokenId == nil)
        #expect(c.maxSourceLength == nil)
    }

    @Test func configErrorsNameTheFileOnce() {
        for (json, message) in [("[]", "config.json: expected a JSON object at the top level, found an array"),
                                ("{\"d_model\": 1,}", "config.json: invalid JSON at byte 14: expected a member name")] {
            #expect(throws: InputError.format(message)) { try ConfigFile.parse(Array(json.utf8), path: "config.json") }
        }
        #expect(throws: InputError.format("config.json: field 'd_model' must be an integer, found a number")) {
            try Self.config(#"{"model_type": "t5", "d_model": 1e16}"#)
        }
    }

    @Test func t5DecoderLayersAndHeadSize() throws {
        let c = try Self.config(#"{"model_type": "t5", "d_model": 32, "d_kv": 6, "num_heads": 4, "num_layers": 3, "num_decoder_layers": 5}"#)
        #expect(c.encoder.layers == 3 && c.decoder.layers == 5 && c.encoder.innerDim == 24)
    }

    /// scale_decoder_outputs (written by 5.x save_pretrained) wins; without it, only
    /// tie_word_embeddings: false turns scaling off.
    @Test(arguments: [
        (#""tie_word_embeddings": false"#, false),
        (#""tie_word_embeddings": true"#, true),
        (#""scale_decoder_outputs": false, "tie_word_embeddings": true"#, false),
        (#""scale_decoder_outputs": true, "tie_word_embeddings": false"#, true),
    ])
    func t5OutputScaling(fields: String, scaled: Bool) throws {
        let c = try Self.config(#"{"model_type": "t5", "d_model": 64, "# + fields + "}")
        #expect(c.outputScale == (scaled ? 0.125 : 1))
        #expect(c.tiedOutput)  // transformers 5 always ties T5; a stored, different lm_head stays untied
    }

    @Test func mt5NeverScales() throws {
        for tie in ["true", "false"] {
            let c = try Self.config(#"{"model_type": "mt5", "scale_decoder_outputs": true, "tie_word_embeddings": "# + tie + "}")
            #expect(c.outputScale == 1)
            #expect(c.activation == .geluNew && c.gatedFeedForward && c.vocabSize == 250112 && c.encoder.heads == 6)
        }
    }

    @Test(arguments: [
        (#""feed_forward_proj": "gated-gelu""#, Activation.geluNew, true),
        (#""feed_forward_proj": "gated-silu""#, Activation.silu, true),
        (#""feed_forward_proj": "gelu""#, Activation.gelu, false),
        (#""feed_forward_proj": "gated-gelu_new""#, Activation.geluNew, true),
        (#""feed_forward_proj": "gated-gelu", "dense_act_fn": "relu""#, Activation.relu, true),
        (#""feed_forward_proj": "gated-gelu", "is_gated_act": false"#, Activation.geluNew, false),
    ])
    func t5FeedForward(fields: String, activation: Activation, gated: Bool) throws {
        let c = try Self.config(#"{"model_type": "t5", "# + fields + "}")
        #expect(c.activation == activation && c.gatedFeedForward == gated)
    }

    @Test func t5UnsupportedOptionsAreNamed() {
        let unknown = modelError { _ = try Self.config(#"{"model_type": "t5", "feed_forward_proj": "gated-foo"}"#) }
        #expect(unknown?.isUnsupported == true)
        #expect(unknown?.description.contains("feed_forward_proj 'gated-foo'") == true)
        let malformed = modelError { _ = try Self.config(#"{"model_type": "t5", "feed_forward_proj": "a-gelu"}"#) }
        #expect(malformed?.description.contains("feed_forward_proj") == true)
        let buckets = modelError { _ = try Self.config(#"{"model_type": "t5", "relative_attention_max_distance": 4}"#) }
        #expect(buckets?.description.contains("relative_attention_max_distance") == true)
        let type = modelError { _ = try Self.config(#"{"model_type": "t5", "d_model": "512"}"#) }
        #expect(type?.description.contains("d_model") == true)
        let huge = modelError { _ = try Self.config(#"{"model_type": "t5", "num_heads": 4000000000, "d_kv": 4000000000}"#) }
        #expect(huge?.description.contains("num_heads") == true)
    }

    /// A checkpoint without a tensor the config needs fails with the tensor's name.
    @Test(arguments: ["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                      "decoder.block.1.layer.2.DenseReluDense.wi.weight", "decoder.final_layer_norm.weight"])
    func missingT5TensorIsNamed(key: String) throws {
        let source = Fixtures.path("models/t5-relu-tied")
        let store = try WeightStore.open(files: [source + "/model.safetensors"])
        #expect(store.contains(key))
        let scratch = try ScratchFolder()
        defer { scratch.cleanup() }
        try FileManager.default.copyItem(atPath: source + "/config.json", toPath: scratch.file("config.json"))
        try SafetensorsWriter.write(tensors: try store.keys.filter { $0 != key }.map { ($0, try store.tensor($0)) },
                                    to: scratch.file("model.safetensors"))
        let error = modelError { _ = try Seq2SeqModel.load(directory: scratch.path) }
        #expect(error?.isFormat == true)
        #expect(error?.description.contains(key) == true)
    }

    @Test func m2m100AndPegasusMapping() throws {
        let stacks = #""d_model": 16, "encoder_layers": 1, "decoder_layers": 1, "encoder_attention_heads": 2, "decoder_attention_heads": 2, "encoder_ffn_dim": 8, "decoder_ffn_dim": 8, "vocab_size": 40"#
        let m = try Self.config(#"{"model_type": "m2m_100", "# + stacks + "}")
        #expect(m.positions == .sinusoidalFairseq(paddingIndex: 1) && m.maxSourceLength == nil)
        #expect(m.preNorm && m.finalLayerNorm && !m.layernormEmbedding && !m.finalLogitsBias)
        #expect(m.embedScale == 4 && m.activation == .relu && m.decoderStartTokenId == 2)
        let p = try Self.config(#"{"model_type": "pegasus", "# + stacks + "}")
        #expect(p.positions == .sinusoidalMarian && p.maxSourceLength == 1024)
        #expect(p.preNorm && p.finalLayerNorm && !p.layernormEmbedding && p.finalLogitsBias)
        #expect(p.embedScale == 1 && p.activation == .gelu && p.padTokenId == 0 && p.decoderStartTokenId == 0)
    }

    @Test func relatedArchitecturesAreUnsupported() {
        for type in ["nllb_moe", "pegasus_x", "umt5", "longt5"] {
            let error = modelError { _ = try Self.config(#"{"model_type": ""# + type + #""}"#) }
            #expect(error?.isUnsupported == true)
            #expect(error?.description.contains(type) == true)
        }
    }

    /// transformers 5 ties the lm head to `shared` unless the checkpoint stores a different one
    /// (T5 and mT5 tie whatever tie_word_embeddings says); with tie_word_embeddings false, M2M100's
    /// encoder and decoder keep their own token tables too.
    @Test(arguments: [("t5-relu-tied", true, true), ("t5-gatedsilu-tied", true, true),
                      ("t5-gatedgelu-untied", false, true), ("mt5-gatedgelu-untied", false, true),
                      ("m2m100-relu-tied", true, true), ("m2m100-gelu-untied", false, false)])
    func lmHeadTying(variant: String, headTied: Bool, tablesShared: Bool) throws {
        let model = try Seq2SeqModel.load(directory: Fixtures.path("models/\(variant)"))
        let stacks = try #require(model.transformer)
        #expect(stacks.decoder.headTied == headTied)
        #expect(stacks.encoder.embeddings.tokens.isSame(as: stacks.decoder.embeddings.tokens) == tablesShared)
    }

    /// Pad tokens inside an M2M100 input get no position and do not advance the others
    /// (create_position_ids_from_input_ids).
    @Test(arguments: ["m2m100-relu-tied", "m2m100-gelu-untied"])
    func m2m100PositionsSkipPadTokens(variant: String) throws {
        let goldens = try ModelGoldens.load(variant)
        let padded = try #require(goldens.padded_input)
        let model = try Seq2SeqModel.load(directory: Fixtures.path("models/\(variant)"))
        #expect(padded.source_ids.filter { $0 == Int32(model.config.padTokenId) }.count == 3)
        var embeddings: [Float] = []
        _ = try model.encode([padded.source_ids]) { layer, states in
            if layer == -1 { embeddings = states.array }
        }
        expectClose(embeddings, padded.embeddings.flatMap { $0 }, tolerance: 1e-4, "\(variant) padded embeddings")
    }
}
