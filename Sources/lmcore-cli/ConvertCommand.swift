import ArgumentParser
import LMCore

/// `lmcore-cli convert --model DIR --out DIR2`: a safetensors copy of a model folder.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a model folder's weights as model.safetensors (e.g. from pytorch_model.bin).")

    @Option(name: .long, help: "The source model folder.")
    var model: String

    @Option(name: .long, help: "The output folder (created; model.safetensors plus the other files).")
    var out: String

    func run() throws {
        print(try CLI.run { try Checkpoints.convert(directory: model, to: out) })
    }
}
