import Foundation
import LMGeneration
import Testing

/// Reading generation_config.json / config.json as transformers does
/// (Tests/Fixtures/search/hf_generation_config.json records HF's parsed values).
@Suite("generation_config.json loading")
struct GenerationConfigTests {
    struct Golden: CustomTestStringConvertible, Sendable {
        let name: String
        let kind: String
        let json: String
        let expectedJSON: Data
        var testDescription: String { name }
    }

    static let goldens: [Golden] = {
        guard let root = try? Fixtures.json("hf_generation_config.json"),
              let cases = root["cases"] as? [[String: Any]] else { return [] }
        return cases.compactMap { c in
            guard let name = c["name"] as? String, let kind = c["kind"] as? String, let json = c["json"] as? String,
                  let expected = try? Fixtures.data(c["expected"] ?? [:]) else { return nil }
            return Golden(name: name, kind: kind, json: json, expectedJSON: expected)
        }
    }()

    @Test func fixtureIsPresent() { #expect(GenerationConfigTests.goldens.count == 6) }

    @Test(arguments: GenerationConfigTests.goldens)
    func matchesTransformers(_ g: Golden) throws {
        let data = Data(g.json.utf8)
        let got = g.kind == "model_config"
            ? try GenerationOptions(modelConfigJSON: data) : try GenerationOptions(generationConfigJSON: data)
        // HF's parsed values, read back through the same (tested below) generation_config reader.
        let expected = try GenerationOptions(generationConfigJSON: g.expectedJSON)
        #expect(got == expected)
        // And spot checks that do not go through the reader.
        let raw = try JSONSerialization.jsonObject(with: g.expectedJSON) as? [String: Any] ?? [:]
        #expect(got.numBeams == (raw["num_beams"] as? Int))
        #expect(got.maxLength == (raw["max_length"] as? Int))
        #expect(got.decoderStartTokenId.map(Int.init) == (raw["decoder_start_token_id"] as? Int))
    }

    @Test func opusMTConfigGivesMarianDefaults() throws {
        let data = try Data(contentsOf: Fixtures.directory.appendingPathComponent("opus-mt-en-mg.config.json"))
        let o = try GenerationOptions.modelDefaults(generationConfigJSON: nil, modelConfigJSON: data)
        #expect(o.numBeams == 4)
        #expect(o.maxLength == 512)
        #expect(o.badWordsIds == [[54687]])
        #expect(o.eosTokenId == [0])
        #expect(o.decoderStartTokenId == 54687)
        #expect(o.padTokenId == 54687)
        #expect(o.earlyStopping == nil)
        // generation_config.json, when present, wins over config.json entirely.
        let gen = Data(#"{"num_beams": 6, "eos_token_id": [0, 5]}"#.utf8)
        let o2 = try GenerationOptions.modelDefaults(generationConfigJSON: gen, modelConfigJSON: data)
        #expect(o2.numBeams == 6 && o2.eosTokenId == [0, 5] && o2.maxLength == nil)
    }

    @Test func typesThatVaryBetweenModels() throws {
        let o = try GenerationOptions(generationConfigJSON: Data(#"""
            {"eos_token_id": 7, "forced_eos_token_id": [1, 2], "early_stopping": "never", "num_beams": 4.0,
             "length_penalty": 1, "bad_words_ids": [[1], [2, 3]], "suppress_tokens": [], "max_length": null,
             "exponential_decay_length_penalty": [5, 1.1], "transformers_version": "4.40.0",
             "custom": {"nested": [1, {"x": null}]}}
            """#.utf8))
        #expect(o.eosTokenId == [7])
        #expect(o.forcedEosTokenId == [1, 2])
        #expect(o.earlyStopping == .never)
        #expect(o.numBeams == 4)
        #expect(o.lengthPenalty == 1)
        #expect(o.badWordsIds == [[1], [2, 3]])
        #expect(o.suppressTokens == [])
        #expect(o.maxLength == nil)
        #expect(o.exponentialDecayLengthPenalty == .init(startIndex: 5, decayFactor: 1.1))
        #expect(o.unsupportedOptions.isEmpty)
    }

    @Test(arguments: [
        #"{"num_beams": "4"}"#, #"{"num_beams": 4.5}"#, #"{"early_stopping": "sometimes"}"#,
        #"{"eos_token_id": [1, "x"]}"#, #"{"bad_words_ids": [1, 2]}"#, #"{"do_sample": 1}"#,
        #"{"eos_token_id": 99999999999}"#, #"[1, 2]"#, #"{"temperature": "hot"}"#, #"not json"#,
        #"{"exponential_decay_length_penalty": [1]}"#, #"{"suppress_tokens": 3}"#,
    ])
    func malformedFieldsThrowNamingTheField(_ json: String) {
        #expect(throws: GenerationError.self) {
            _ = try GenerationOptions(generationConfigJSON: Data(json.utf8))
        }
    }

    @Test func errorMessageNamesFileAndField() {
        do {
            _ = try GenerationOptions(generationConfigJSON: Data(#"{"num_beams": "4"}"#.utf8), file: "m/gen.json")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("m/gen.json") && "\(error)".contains("num_beams"))
        }
    }

    /// 10^9 new tokens is refused at once (a model without position limits would otherwise decode
    /// for hours); the longest allowed sequence is 65536 decoder tokens, prompt included.
    @Test func decoderLengthIsBounded() throws {
        for (maxNew, maxLength, prefix) in [(1_000_000_000, nil, 0), (nil, 1 << 20, 0), (65_536, nil, 0), (65_000, nil, 600)]
            as [(Int?, Int?, Int)] {
            var o = GenerationOptions()
            o.decoderStartTokenId = 0
            o.maxNewTokens = maxNew
            o.maxLength = maxLength
            do {
                _ = try GenerationSettings(options: o, prefixLength: prefix)
                Issue.record("max_new_tokens \(String(describing: maxNew)) max_length \(String(describing: maxLength)) accepted")
            } catch {
                #expect("\(error)".contains("limit of 65536 decoder tokens"), "\(error)")
            }
        }
        var fits = GenerationOptions()
        fits.decoderStartTokenId = 0
        fits.maxNewTokens = 65_535
        #expect(try GenerationSettings(options: fits).maxLength == 65_536)
    }

    @Test func unsupportedActiveOptionsAreReportedAtGenerateTime() throws {
        let o = try GenerationOptions(generationConfigJSON: Data(
            #"{"num_beam_groups": 2, "diversity_penalty": 0.5, "epsilon_cutoff": 0.0, "min_p": null}"#.utf8))
        #expect(o.unsupportedOptions == ["num_beam_groups"])
        #expect(throws: GenerationError.self) {
            _ = try GenerationSettings(options: o)
        }
        let inactive = try GenerationOptions(generationConfigJSON: Data(
            #"{"num_beam_groups": 1, "epsilon_cutoff": 0.0, "guidance_scale": 1.0, "low_memory": false}"#.utf8))
        #expect(inactive.unsupportedOptions.isEmpty)
    }

    @Test func precedenceExplicitOverModelOverDefaults() throws {
        var explicit = GenerationOptions()
        explicit.numBeams = 2
        var model = GenerationOptions()
        model.numBeams = 4
        model.maxLength = 50
        model.eosTokenId = [0]
        model.decoderStartTokenId = 9
        let s = try GenerationSettings(options: explicit.merged(over: model))
        #expect(s.numBeams == 2)
        #expect(s.maxLength == 50)
        #expect(s.lengthPenalty == 1)
        #expect(s.earlyStopping == .heuristic)
        #expect(s.padTokenId == 0)  // HF: pad falls back to the first EOS id
        #expect(s.mode == .beamSearch)
    }

    @Test func lengthResolutionMirrorsHF() throws {
        var o = GenerationOptions()
        o.decoderStartTokenId = 0
        // Unset max_length: 20 new tokens after the prompt, capped by max_position_embeddings.
        #expect(try GenerationSettings(options: o).maxLength == 21)
        #expect(try GenerationSettings(options: o, prefixLength: 2).maxLength == 23)
        #expect(try GenerationSettings(options: o, maxPositionEmbeddings: 10).maxLength == 10)
        // max_new_tokens wins over max_length; an explicit max_length is never capped.
        o.maxLength = 100
        #expect(try GenerationSettings(options: o, maxPositionEmbeddings: 10).maxLength == 100)
        o.maxNewTokens = 5
        #expect(try GenerationSettings(options: o, prefixLength: 3).maxLength == 9)
        o.minNewTokens = 2
        #expect(try GenerationSettings(options: o, prefixLength: 3).minLength == 6)
        // The prompt must be shorter than max_length.
        o.maxNewTokens = nil
        o.maxLength = 3
        #expect(throws: GenerationError.self) { _ = try GenerationSettings(options: o, prefixLength: 2) }
    }

    @Test func invalidCombinationsThrowLikeHF() {
        func settings(_ edit: (inout GenerationOptions) -> Void) throws {
            var o = GenerationOptions()
            o.decoderStartTokenId = 0
            edit(&o)
            _ = try GenerationSettings(options: o)
        }
        #expect(throws: GenerationError.self) { try settings { $0.numReturnSequences = 2 } }
        #expect(throws: GenerationError.self) { try settings { $0.numBeams = 2; $0.numReturnSequences = 3 } }
        #expect(throws: GenerationError.self) { try settings { $0.maxNewTokens = 0 } }
        #expect(throws: GenerationError.self) { try settings { $0.numBeams = 0 } }
        #expect(throws: GenerationError.self) { try settings { $0.decoderStartTokenId = nil } }
        #expect(throws: GenerationError.self) { try settings { $0.forcedBosTokenId = 3; $0.suppressTokens = [3] } }
        #expect(throws: GenerationError.self) { try settings { $0.lengthPenalty = .infinity } }
        #expect(throws: Never.self) { try settings { $0.doSample = true; $0.numReturnSequences = 3 } }
    }
}
