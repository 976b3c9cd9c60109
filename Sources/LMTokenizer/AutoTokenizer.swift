#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LMInput

// Picks a tokenizer for a path the way transformers 5.23 `AutoTokenizer.from_pretrained` does for
// the model families lmcore serves (models/auto/tokenization_auto.py): the class named by
// tokenizer_config.json's `tokenizer_class`, else the one registered for config.json's
// `model_type`; Python (sentencepiece) MarianTokenizer when that class is Marian's, otherwise the
// tokenizers pipeline from tokenizer.json, or one converted from spiece.model for T5.

/// Loads the tokenizer behind a path.
package enum AutoTokenizer {
    /// What ``load(path:modelConfig:)`` loads for a path.
    package enum Choice: Equatable, Sendable {
        /// A tokenizer.json (with the folder's tokenizer_config.json when loading a folder).
        case tokenizerJSON(file: String, config: String?)
        /// A Marian folder: source.spm, target.spm, vocab.json (MarianTokenizer).
        case marian(directory: String)
        /// A T5 folder with spiece.model and no tokenizer.json, converted as transformers does.
        case t5SentencePiece(directory: String)
        /// A SentencePiece model file used directly (`SentencePieceProcessor`).
        case sentencePiece(file: String)
    }

    /// Loads the tokenizer for `path`:
    /// - a `tokenizer.json` (any `.json`) file: the tokenizers pipeline alone, as
    ///   `tokenizers.Tokenizer.from_file` (no special-token or clean-up settings from a config);
    /// - a `.model` / `.spm` file: ``SentencePieceProcessor``, as
    ///   `sentencepiece.SentencePieceProcessor(model_file=...)` — no BOS/EOS added;
    /// - a model folder: see ``choose(path:modelConfig:)``.
    ///
    /// `modelConfig` is the folder's config.json when the caller has parsed it already (a model load
    /// reads it once for every component); nil reads it from the folder when present.
    package static func load(path: String, modelConfig: JSONValue? = nil) throws -> any TextTokenizer {
        switch try choose(path: path, modelConfig: modelConfig) {
        case .tokenizerJSON(let file, let config):
            return try loadTokenizerJSON(file: file, config: config)
        case .marian(let directory):
            return try MarianTokenizer(directory: directory)
        case .t5SentencePiece(let directory):
            let converted = try T5SentencePieceConverter(directory: directory)
            return try makeTokenizersPipeline(json: Data(converted.tokenizerJSON), config: Data(converted.tokenizerConfig),
                                              source: joinPath(directory, "spiece.model"))
        case .sentencePiece(let file):
            return try SentencePieceProcessor(modelFile: file)
        }
    }

    /// Decides what ``load(path:modelConfig:)`` loads. For a folder, as transformers' AutoTokenizer:
    /// 1. the tokenizer class is tokenizer_config.json's `tokenizer_class` ("Fast" suffix dropped),
    ///    else the class registered for config.json's `model_type` (marian -> MarianTokenizer,
    ///    t5 / mt5 / umt5 / longt5 -> T5Tokenizer);
    /// 2. MarianTokenizer -> source.spm + target.spm + vocab.json, even when a tokenizer.json is
    ///    present (transformers has no fast Marian tokenizer). A folder that names MarianTokenizer but
    ///    lacks the .spm files makes transformers fail; lmcore uses its tokenizer.json if there is one;
    /// 3. otherwise tokenizer.json when present;
    /// 4. otherwise spiece.model for T5Tokenizer (converted like transformers 5.23 does);
    /// 5. a folder with Marian's files but no config files is taken as Marian.
    /// Anything else throws, naming what is missing.
    package static func choose(path: String, modelConfig parsedModelConfig: JSONValue? = nil) throws -> Choice {
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputError.io("\(path): no such file or directory")
        }
        // contentsOfDirectory follows symbolic links (model caches link their files and folders).
        guard (try? FileManager.default.contentsOfDirectory(atPath: path)) != nil else {
            let lower = path.lowercased()
            if lower.hasSuffix(".json") { return .tokenizerJSON(file: path, config: nil) }
            if lower.hasSuffix(".model") || lower.hasSuffix(".spm") { return .sentencePiece(file: path) }
            throw InputError.unsupported(
                "\(path): unrecognized tokenizer file (expected tokenizer.json, a .model/.spm SentencePiece model or a model folder)")
        }
        let fm = FileManager.default
        func exists(_ name: String) -> Bool { fm.fileExists(atPath: joinPath(path, name)) }
        func jsonObject(_ name: String) throws -> JSONValue? {
            exists(name) ? try JSONReader.parse(contentsOf: joinPath(path, name), options: .python) : nil
        }
        let tokenizerConfig = try jsonObject("tokenizer_config.json")
        let modelConfig = try parsedModelConfig ?? jsonObject("config.json")
        var tokenizerClass = tokenizerConfig?["tokenizer_class"]?.string
            ?? modelConfig?["tokenizer_class"]?.string
        if let c = tokenizerClass, c.hasSuffix("Fast"), c != "PreTrainedTokenizerFast" { tokenizerClass = String(c.dropLast(4)) }
        let modelType = modelConfig?["model_type"]?.string
        let cls = tokenizerClass ?? modelType.flatMap { registeredClass[$0] }
        let configPath = exists("tokenizer_config.json") ? joinPath(path, "tokenizer_config.json") : nil
        let hasMarianFiles = exists("source.spm") && exists("target.spm") && exists("vocab.json")

        if cls == "MarianTokenizer" {
            if hasMarianFiles { return .marian(directory: path) }
            if exists("tokenizer.json") { return .tokenizerJSON(file: joinPath(path, "tokenizer.json"), config: configPath) }
            throw InputError.format(
                "\(path): MarianTokenizer needs source.spm, target.spm and vocab.json (missing: "
                    + ["source.spm", "target.spm", "vocab.json"].filter { !exists($0) }.joined(separator: ", ") + ")")
        }
        if exists("tokenizer.json") {
            return .tokenizerJSON(file: joinPath(path, "tokenizer.json"), config: configPath)
        }
        if exists("spiece.model") {
            if cls == "T5Tokenizer" { return .t5SentencePiece(directory: path) }
            if let cls {
                throw InputError.unsupported(
                    "\(path): \(cls) from spiece.model without tokenizer.json is not supported (T5Tokenizer is)")
            }
            throw InputError.format(
                "\(path): spiece.model but no config.json or tokenizer_config.json saying which tokenizer it is; "
                    + "pass the .model file itself to use it as a plain SentencePiece model")
        }
        if hasMarianFiles && cls == nil { return .marian(directory: path) }
        throw InputError.format(
            "\(path): no tokenizer found (looked for tokenizer.json, source.spm/target.spm/vocab.json, spiece.model"
                + (cls.map { "; tokenizer class \($0)" } ?? "") + ")")
    }

    /// transformers' TOKENIZER_MAPPING for the families whose choice depends on it.
    static let registeredClass: [String: String] = [
        "marian": "MarianTokenizer", "t5": "T5Tokenizer", "mt5": "T5Tokenizer", "umt5": "T5Tokenizer",
        "longt5": "T5Tokenizer",
    ]

    static func loadTokenizerJSON(file: String, config: String?) throws -> any TextTokenizer {
        let json = try HFTokenizer.readFile(file)
        return try makeTokenizersPipeline(json: json, config: try config.map(HFTokenizer.readFile), source: file)
    }

    /// The tokenizer.json pipeline (HFTokenizer), with the folder's tokenizer_config.json.
    static func makeTokenizersPipeline(json: Data, config: Data?, source: String) throws -> any TextTokenizer {
        try HFTokenizer(tokenizerJSON: json, tokenizerConfig: config, source: source)
    }
}
