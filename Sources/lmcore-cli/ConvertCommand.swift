import ArgumentParser
import Foundation
import LMCore

/// `lmcore-cli convert --model DIR --out DIR2 [--quantize int8]`: a safetensors copy of a model folder.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a model folder's weights as model.safetensors (e.g. from pytorch_model.bin).")

    @Option(name: .long, help: "The source model folder.")
    var model: String

    @Option(name: .long, help: "The output folder (created; model.safetensors plus the other files).")
    var out: String

    @Flag(name: .long, help: "Write into --out even if it already exists (its model.safetensors and copied files are replaced).")
    var force = false

    @Option(name: .long, help: ArgumentHelp(
        "Store the linear weights quantized: int8 (one scale per output row, as --compute-type int8 packs them; "
            + "the file is about a quarter of float32 and loads without quantizing).", valueName: "type"))
    var quantize: String?

    func run() throws {
        if !force && FileManager.default.fileExists(atPath: out) {
            CLI.fail("\(out) already exists; pass --force to write into it")
        }
        if let quantize, quantize != "int8" {
            CLI.fail("--quantize \(quantize): the supported type is int8")
        }
        print(try CLI.run { try Checkpoints.convert(directory: model, to: out, quantizeInt8: quantize != nil) })
    }
}
