import ArgumentParser
import LMCore

/// `lmcore-cli tokenize --tokenizer PATH [--no-special]`: each stdin line (without its newline)
/// to its ids, space-separated; special tokens are added by default, as `encode(text)` does.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of each stdin line.")

    @Option(name: .long, help: "A tokenizer.json, a SentencePiece .model/.spm file, or a model folder.")
    var tokenizer: String

    @Flag(name: .long, help: "Do not add special tokens (add_special_tokens=False).")
    var noSpecial = false

    @Flag(name: .long, help: "Print token strings instead of ids.")
    var tokens = false

    func run() throws {
        let loaded = try CLI.run { try Tokenizers.load(path: tokenizer) }
        while let line = readLine(strippingNewline: true) {
            let encoding = try CLI.run { try loaded.encode(line, addSpecialTokens: !noSpecial) }
            print(tokens ? encoding.tokens.joined(separator: " ") : encoding.ids.map(String.init).joined(separator: " "))
        }
    }
}

/// `lmcore-cli detokenize --tokenizer PATH [--skip-special]`: each stdin line of space-separated
/// ids to text, as `decode(ids, skip_special_tokens=...)` does.
struct DetokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detokenize",
        abstract: "Print the text of each stdin line of token ids.")

    @Option(name: .long, help: "A tokenizer.json, a SentencePiece .model/.spm file, or a model folder.")
    var tokenizer: String

    @Flag(name: .long, help: "Leave out special tokens (skip_special_tokens=True).")
    var skipSpecial = false

    func run() throws {
        let loaded = try CLI.run { try Tokenizers.load(path: tokenizer) }
        var number = 0
        while let line = readLine(strippingNewline: true) {
            number += 1
            let ids = try CLI.run { try CLI.parseIds(line, line: number) }
            print(try CLI.run { try loaded.decode(ids, skipSpecialTokens: skipSpecial) })
        }
    }
}
