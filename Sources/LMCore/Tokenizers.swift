import LMInput
import LMTokenizer

/// Loading a tokenizer on its own (without a model).
public enum Tokenizers {
    /// PATH is a tokenizer.json, a SentencePiece .model/.spm file, or a model folder (picked
    /// the way transformers' AutoTokenizer picks files).
    public static func load(path: String) throws(LMCoreError) -> any TextTokenizer {
        try lmcore { try AutoTokenizer.load(path: path) }
    }

    /// A model folder's tokenizer, given the config.json the model load has parsed.
    static func load(path: String, modelConfig: JSONValue) throws(LMCoreError) -> any TextTokenizer {
        try lmcore { try AutoTokenizer.load(path: path, modelConfig: modelConfig) }
    }
}
