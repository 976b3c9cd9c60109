import ArgumentParser
import LMCore

/// `lmcore-cli generate --model DIR [--ids]`: one input per stdin line, one output line per
/// hypothesis (--num-return N gives N lines per input, best first). With --ids an input line is
/// space-separated source ids (exactly the encoder input, nothing added) and an output line the
/// generated ids after the decoder start token up to and including the first EOS; without it,
/// lines are text through the model's tokenizer.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate from stdin, one input per line (text, or ids with --ids).")

    @OptionGroup var modelFlags: ModelFlags

    @Flag(name: .long, help: "Read and write token ids (space-separated), not text.")
    var ids = false

    @OptionGroup var search: SearchFlags

    @OptionGroup var requestFlags: RequestFlags

    @Flag(name: .long, help: "One JSON object per input line: {\"input\", \"hypotheses\": [{\"ids\", \"score\", \"text\"}]}.")
    var json = false

    func run() throws {
        let loaded = try modelFlags.load(tokenizer: !ids || requestFlags.targetLang != nil)
        var options = search.options
        if json { options.outputScores = true }
        let request = try requestFlags.options(for: loaded, ids: ids)
        try CLI.run { try loaded.check(request, inputs: 1) }
        // Interactive input (or --batch-size 1) is answered line by line; piped input in chunks
        // that the model sorts by length into batches.
        let batch = CLI.stdinIsTerminal ? 1 : requestFlags.chunkLines
        var lineNumber = 0
        var lines: [String] = []
        func flush() throws {
            guard !lines.isEmpty else { return }
            if ids {
                let sources = try CLI.run {
                    try lines.enumerated().map { try CLI.parseIds($1, line: lineNumber - lines.count + $0 + 1) }
                }
                let results = try CLI.run { try loaded.generate(sources, options: options, request: request) }
                for (line, hyps) in zip(lines, results) {
                    if json {
                        print(CLI.json(["input": line, "hypotheses": hyps.map { h in
                            ["ids": h.ids.map(Int.init), "score": CLI.jsonNumber(h.score)] as [String: Any] }]))
                        continue
                    }
                    for h in hyps { print(h.ids.map(String.init).joined(separator: " ") + search.scoreSuffix(h.score)) }
                }
                CLI.flushStdout()
            } else {
                let results = try CLI.run { try loaded.translate(lines, options: options, request: request) }
                for (line, hyps) in zip(lines, results) {
                    if json {
                        print(CLI.json(["input": line, "hypotheses": hyps.map { h in
                            ["ids": h.ids.map(Int.init), "score": CLI.jsonNumber(h.score), "text": h.text] as [String: Any] }]))
                        continue
                    }
                    for h in hyps { print(h.text + search.scoreSuffix(h.score)) }
                }
                CLI.flushStdout()
            }
            lines.removeAll(keepingCapacity: true)
        }
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            lines.append(line)
            if lines.count >= batch { try flush() }
        }
        try flush()
    }
}
