import ArgumentParser
import LMCore

/// `--model DIR --threads N`: the flags of every subcommand that loads a model, validated and
/// loaded in one place.
struct ModelFlags: ParsableArguments {
    @Option(name: .long, help: "A Hugging Face model folder (config.json, weights, tokenizer files).")
    var model: String

    @Option(name: .long, help: "Threads (0 = all cores).")
    var threads = 0

    func validate() throws {
        guard threads >= 0 else { throw ValidationError("--threads must be 0 (all cores) or more") }
    }

    /// Loads the folder; a load error is one line on stderr and exit status 1.
    func load(tokenizer: Bool = true) throws -> Model {
        try CLI.run { try Model.load(path: model, options: ModelOptions(threads: threads, loadTokenizer: tokenizer)) }
    }
}
