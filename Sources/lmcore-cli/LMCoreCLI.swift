import ArgumentParser
import LMCore

/// lmcore-cli: the command-line face of lmcore. Exit codes: 0 success, 1 a failed operation
/// (unreadable or malformed model, bad input line; one line on stderr), 64 bad command-line
/// usage, 130 interrupted.
@main
struct LMCoreCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lmcore-cli",
        abstract: "Run Hugging Face encoder-decoder models (Marian, BART, mBART, T5, ...) with lmcore.",
        discussion: """
            Exit status: 0 on success, 1 when an operation fails (the reason is one line on \
            stderr), 64 on a command-line usage error.
            """,
        version: LMCore.version,
        subcommands: [TranslateCommand.self, GenerateCommand.self, ScoreCommand.self, EmbedCommand.self,
                      TokenizeCommand.self, DetokenizeCommand.self, InspectCommand.self, ConvertCommand.self,
                      BenchCommand.self, EvaluateCommand.self, ServeCommand.self])
}
