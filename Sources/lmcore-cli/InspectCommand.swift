import ArgumentParser
import LMCore

/// `lmcore-cli inspect --model DIR`: architecture, dimensions, parameter count, dtypes.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a model's architecture, dimensions, parameter count and stored dtypes.")

    @Option(name: .long, help: "A Hugging Face model folder.")
    var model: String

    func run() throws {
        let loaded = try CLI.run { try Model.load(path: model, options: ModelOptions(threads: 1)) }
        print(ModelSummary(loaded).text)
    }
}
