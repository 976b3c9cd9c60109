#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LMTokenizer

/// Loading a tokenizer on its own (without a model).
public enum Tokenizers {
    /// PATH is a tokenizer.json, a SentencePiece .model/.spm file, or a model folder (picked
    /// the way transformers' AutoTokenizer picks files).
    public static func load(path: String) throws(LMCoreError) -> any TextTokenizer {
        try lmcore {
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw LMCoreError(.io, "\(path): no such file or folder")
            }
            // TODO(tok-spm): AutoTokenizer.load(path:) once the SentencePiece loader lands.
            let json = isDirectory ? path + "/tokenizer.json" : path
            let config = isDirectory ? path + "/tokenizer_config.json" : nil
            return try HFTokenizer.load(tokenizerJSON: json,
                                        tokenizerConfig: config.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil })
        }
    }
}
