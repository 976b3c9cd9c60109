import ArgumentParser
import LMCore

/// `lmcore-cli inspect --model DIR`: architecture, dimensions, parameter count, dtypes.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a model's architecture, dimensions, parameter count and stored dtypes.")

    @Option(name: .long, help: "A Hugging Face model folder.")
    var model: String

    @Option(name: .long, help: ArgumentHelp("The compute type to load with (float32, float16, int8_float32, int8, auto).",
                                            valueName: "type"))
    var computeType: ComputeType = .float32

    func run() throws {
        let loaded = try CLI.run {
            try Model.load(path: model, options: ModelOptions(threads: 1, computeType: computeType))
        }
        print(ModelSummary(loaded).text)
    }
}
