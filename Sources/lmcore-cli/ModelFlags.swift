import ArgumentParser
import LMCore

/// `--model DIR --threads N --compute-type T`: the flags of every subcommand that loads a model, validated and
/// loaded in one place.
struct ModelFlags: ParsableArguments {
    @Option(name: .long, help: "A Hugging Face model folder (config.json, weights, tokenizer files).")
    var model: String

    @Option(name: .long, help: "Threads (0 = all cores).")
    var threads = 0

    @Option(name: .long, help: ArgumentHelp(
        "How the decoder's weights are stored: float32, float16, int8_float32 or auto (arithmetic is float32).",
        valueName: "type"))
    var computeType: ComputeType = .float32

    func validate() throws {
        guard threads >= 0 else { throw ValidationError("--threads must be 0 (all cores) or more") }
    }

    /// Loads the folder; a load error is one line on stderr and exit status 1.
    func load(tokenizer: Bool = true) throws -> Model {
        try CLI.run {
            try Model.load(path: model, options: ModelOptions(threads: threads, loadTokenizer: tokenizer,
                                                              computeType: computeType))
        }
    }
}

extension ComputeType: ExpressibleByArgument {}
