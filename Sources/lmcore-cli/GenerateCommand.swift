import ArgumentParser
import LMCore
import LMGeneration

/// `lmcore-cli generate --model DIR --ids`: one input per stdin line as space-separated source
/// ids (exactly the encoder input), one output line per input: the generated ids after the
/// decoder start token, up to and including the first EOS.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate from source ids read from stdin, one input per line.")

    @Option(name: .long, help: "A Hugging Face model folder (config.json, weights, ...).")
    var model: String

    @Flag(name: .long, help: "Read and write token ids (space-separated), not text.")
    var ids = false

    @Option(name: .long, help: "Maximum number of new tokens (default: the model's generation_config).")
    var maxNewTokens: Int?

    @Option(name: .long, help: "Minimum number of new tokens before EOS may end a sequence.")
    var minNewTokens: Int?

    @Option(name: .long, help: "Threads (0 = all cores).")
    var threads = 0

    func validate() throws {
        guard ids else {
            throw ValidationError("generate reads ids: pass --ids (text input is `lmcore-cli translate`)")
        }
        if let maxNewTokens, maxNewTokens < 1 { throw ValidationError("--max-new-tokens must be at least 1") }
        if let minNewTokens, minNewTokens < 0 { throw ValidationError("--min-new-tokens must be at least 0") }
    }

    func run() throws {
        let loaded = try CLI.run { try Model.load(path: model, options: ModelOptions(threads: threads)) }
        var options = GenerationOptions()
        options.maxNewTokens = maxNewTokens
        options.minNewTokens = minNewTokens
        var lineNumber = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            let source = try CLI.run { try CLI.parseIds(line, line: lineNumber) }
            let result = try CLI.run { try loaded.generate([source], options: options) }
            print(result[0].first?.ids.map(String.init).joined(separator: " ") ?? "")
        }
    }
}
