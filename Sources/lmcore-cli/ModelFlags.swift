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
        "How weights are stored and multiplied: float32, float16 or int8_float32 (decoder weights; float32 arithmetic), int8 (int8 products, AVX-512 VNNI) or auto.",
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
