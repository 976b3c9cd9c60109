import ArgumentParser
import LMCore

/// How inputs are prepared and grouped (`RequestOptions`): target language and prefix,
/// truncation, batching. Shared by `translate` and `generate`.
struct RequestFlags: ParsableArguments {
    @Option(name: .long, help: "Target language code: NLLB/M2M100 (fra_Latn, fr), mBART-50 (fr_XX) or multilingual Marian (fr -> >>fr<<).")
    var targetLang: String?

    @Option(name: .long, help: "Target prefix forced after the decoder start token: text (through the target tokenizer, no special tokens), or ids with --ids.")
    var prefix: String?

    @Option(name: .long, help: "Truncate sources to this many tokens (text: keeping the tokenizer's special tokens; default: the model's position limit). 0: never truncate.")
    var maxInputLength: Int?

    @Option(name: .long, help: "Inputs per batch (--batch-type examples) or source tokens per batch (--batch-type tokens).")
    var batchSize = 32

    @Option(name: .long, help: "How --batch-size counts: examples or tokens. Inputs are sorted by length into batches; output order is kept.")
    var batchType = "examples"

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard RequestOptions.BatchType(rawValue: batchType) != nil else {
            throw ValidationError("--batch-type must be examples or tokens")
        }
        if let maxInputLength, maxInputLength < 0 { throw ValidationError("--max-input-length must be at least 0") }
    }

    /// Lines read before the model is called: batches of similar length form within a chunk, and
    /// --batch-size 1 answers each line as it is read.
    var chunkLines: Int {
        if batchSize == 1 && batchType == "examples" { return 1 }
        return batchType == "tokens" ? 1024 : 16 * batchSize
    }

    /// The request for a model; `ids` says whether --prefix holds ids.
    func options(for model: Model, ids: Bool) throws -> RequestOptions {
        var request = RequestOptions(targetLanguage: targetLang, maxInputLength: maxInputLength,
                                     maxBatchSize: batchSize, batchType: RequestOptions.BatchType(rawValue: batchType) ?? .examples)
        if let prefix {
            let prefixIds = ids ? try CLI.parseIds(prefix, line: 0, what: "--prefix")
                : try CLI.run { try model.requireTokenizer().encodeTarget(prefix, addSpecialTokens: false).ids }
            request.targetPrefixes = [prefixIds]
        }
        return request
    }
}
