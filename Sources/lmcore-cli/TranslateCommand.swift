import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LMCore
import LMEvaluation

/// `lmcore-cli translate --model DIR [-i FILE] [-o FILE] [--beams N] [--batch-size N] [--json]`:
/// text in, text out, one line per line, order kept. A progress bar (count, rate, ETA) goes to
/// stderr when stderr is a terminal. A failing line is reported with its line number and the
/// rest is translated; the exit status is 1 at the end unless --skip-errors.
struct TranslateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Translate text lines (stdin or -i FILE) with a model folder.")

    @OptionGroup var modelFlags: ModelFlags

    @Option(name: [.customShort("i"), .long], help: "Input file (default: stdin).")
    var input: String?

    @Option(name: [.customShort("o"), .long], help: "Output file (default: stdout).")
    var output: String?

    @OptionGroup var search: SearchFlags

    @OptionGroup var requestFlags: RequestFlags

    @Flag(name: .long, help: "One JSON object per input line: {\"input\", \"translations\": [{\"text\", \"score\", \"ids\"}]}.")
    var json = false

    @Flag(name: .long, help: "Print each translation as it is generated, piece by piece (line-by-line input: a terminal or --batch-size 1; one hypothesis).")
    var stream = false

    @Flag(name: .long, help: "A line that fails (reported on stderr with its line number, an empty output line in its place) does not make the exit status non-zero.")
    var skipErrors = false

    @Option(name: [.customShort("r"), .long],
            help: "Reference file (repeat for several): print metrics of the best translations to stderr at the end.")
    var reference: [String] = []

    @OptionGroup var metricFlags: MetricFlags

    func run() throws {
        let loaded = try modelFlags.load()
        _ = try CLI.run { try loaded.requireTokenizer() }
        let request = try requestFlags.options(for: loaded, ids: false)
        try CLI.run { try loaded.check(request, inputs: 1) }
        var options = search.options
        if json { options.outputScores = true }  // every JSON result carries its score, greedy too
        var sink = try CLI.run { try OutputSink(path: output) }
        // Interactive stdin, or --batch-size 1 on stdin, is a line-by-line filter: each line is
        // answered as soon as it is read.
        let lineByLine = input == nil && reference.isEmpty && (CLI.stdinIsTerminal || requestFlags.chunkLines == 1)
        if stream && (!lineByLine || json || (search.numReturn ?? 1) > 1) {
            CLI.fail("--stream prints one hypothesis per line as it is read: use it on stdin with --batch-size 1 "
                + "(or a terminal), without --json, -r or --num-return")
        }
        if lineByLine {
            var number = 0
            var failed = 0
            while let line = readLine(strippingNewline: true) {
                number += 1
                failed += translate([line], firstLine: number, loaded, options, request, &sink).failed
                CLI.flushStdout()
            }
            try finish(failed: failed)
            return
        }
        let lines = try CLI.run { try CLI.readLines(path: input) }
        // References are read (and their line counts checked) before any work.
        let references = try CLI.run { try reference.map { try CLI.readLines(path: $0) } }
        for (k, stream) in references.enumerated() where stream.count != lines.count {
            CLI.fail("\(reference[k]): \(stream.count) lines, but the input has \(lines.count): line counts must match")
        }
        var best: [String] = []
        let progress = Progress(total: lines.count, enabled: CLI.stderrIsTerminal)
        var start = 0
        var failed = 0
        while start < lines.count {
            let end = min(lines.count, start + requestFlags.chunkLines)
            let chunk = translate(Array(lines[start..<end]), firstLine: start + 1, loaded, options, request, &sink)
            failed += chunk.failed
            if !references.isEmpty { best += chunk.best }
            start = end
            progress.update(done: end)
        }
        progress.finish()
        if !references.isEmpty {
            let (names, metricOptions) = try metricFlags.parsed()
            let scores = try CLI.run { try Evaluation.corpus(hypotheses: best, references: references, metrics: names,
                                                             options: metricOptions) }
            var stderr = StandardError()
            for line in CLI.evaluationLines(names: names, scores: scores, options: metricOptions) {
                print(line, to: &stderr)
            }
        }
        try finish(failed: failed)
    }

    /// Translates a chunk of lines and writes them in order (with --stream, piece by piece as they
    /// are generated). If the chunk fails, each line is translated alone, so one bad line (too long,
    /// unknown language...) is reported with its file line number and the others are still
    /// translated. Returns the number of failed lines and each line's best translation.
    private func translate(_ lines: [String], firstLine: Int, _ model: Model, _ options: GenerationOptions,
                           _ request: RequestOptions, _ sink: inout OutputSink) -> (failed: Int, best: [String]) {
        var streamed: TextCallback? = nil
        if stream {
            let handle = sink.handle
            streamed = { piece in
                handle.write(Data(piece.text.utf8))
                return true
            }
        }
        var results: [[Translation]?] = []
        var errors: [String?] = Array(repeating: nil, count: lines.count)
        func alone(_ k: Int, firstError: (any Error)? = nil) {
            do {
                if let firstError { throw firstError }
                results.append(try model.translate([lines[k]], options: options, request: request, onText: streamed)[0])
            } catch {
                results.append(nil)
                // Alone, the line is "input 0" of its call: its file line number says more.
                let message = "\(error)"
                errors[k] = message.hasPrefix("input 0: ") ? String(message.dropFirst("input 0: ".count)) : message
            }
        }
        do {
            results = try model.translate(lines, options: options, request: request, onText: streamed)
        } catch {
            // A single line has failed already (translating it again could repeat streamed text).
            if lines.count == 1 { alone(0, firstError: error) } else { lines.indices.forEach { alone($0) } }
        }
        var failed = 0
        var best: [String] = []
        var stderr = StandardError()
        for (k, hyps) in results.enumerated() {
            if let message = errors[k] {
                failed += 1
                print("lmcore-cli: line \(firstLine + k): \(message)", to: &stderr)
            }
            let translations = hyps ?? []
            best.append(translations.first?.text ?? "")
            if json {
                sink.write(CLI.jsonLine(input: lines[k], hypotheses: translations))
            } else if translations.isEmpty || stream {
                sink.write("")  // a failed line's place, or the end of a streamed one
            } else {
                for h in translations { sink.write(h.text + search.scoreSuffix(h.score)) }
            }
        }
        return (failed, best)
    }

    /// Exit status 1 after failed lines, unless --skip-errors.
    private func finish(failed: Int) throws {
        guard failed > 0 else { return }
        var stderr = StandardError()
        print("lmcore-cli: \(failed) line(s) failed\(skipErrors ? " (skipped)" : "")", to: &stderr)
        if !skipErrors { throw ExitCode(1) }
    }
}

/// Where output lines go: stdout or a file.
struct OutputSink {
    let handle: FileHandle

    init(path: String?) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let h = FileHandle(forWritingAtPath: path) else {
                throw LMCoreError(.io, "\(path): cannot write the output file")
            }
            handle = h
        } else {
            handle = FileHandle.standardOutput
        }
    }

    mutating func write(_ line: String) {
        handle.write(Data((line + "\n").utf8))
    }

}

/// A one-line progress bar on stderr: done/total, lines per second, ETA.
final class Progress {
    let total: Int
    let enabled: Bool
    let started = Date()

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func update(done: Int) {
        guard enabled, total > 0 else { return }
        let elapsed = Date().timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        // Fit the terminal: the numbers first, the bar gets what is left (none in a narrow pane),
        // so the line never wraps and scrolls.
        let numbers = String(format: " %d/%d  %.1f lines/s  ETA %@", done, total, rate, Progress.clock(eta))
        let columns = Progress.terminalColumns()
        let width = min(30, columns - 1 - numbers.count - 2)
        var line = numbers
        if width >= 5 {
            let filled = Int(Double(width) * Double(done) / Double(total))
            line = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]" + numbers
        }
        line = String(line.prefix(max(1, columns - 1)))
        // \r, the line, then clear to the end of the line (a shorter line leaves no leftovers).
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }

    func finish() {
        guard enabled, total > 0 else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    /// Columns of the terminal on stderr (80 when unknown).
    static func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
    }
}

extension CLI {
    /// All lines of a file, or of stdin.
    static func readLines(path: String?) throws -> [String] {
        if let path {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw LMCoreError(.io, "\(path): cannot read the input file")
            }
            var text = String(decoding: data, as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            if text.isEmpty { return [] }
            return text.split(separator: "\n", omittingEmptySubsequences: false).map {
                $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
            }
        }
        var lines: [String] = []
        while let line = readLine(strippingNewline: true) { lines.append(line) }
        return lines
    }

    /// {"input": ..., "translations": [{"text": ..., "score": ..., "ids": [...]}]}
    static func jsonLine(input: String, hypotheses: [Translation]) -> String {
        let translations: [[String: Any]] = hypotheses.map { h in
            var o: [String: Any] = ["text": h.text, "ids": h.ids.map(Int.init)]
            if let s = h.score, s.isFinite { o["score"] = Double(s) }
            return o
        }
        return json(["input": input, "translations": translations])
    }

    /// One JSON object on one line, keys sorted.
    static func json(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A float for JSON (NaN and infinities are not JSON numbers: null).
    static func jsonNumber(_ value: Float?) -> Any {
        guard let value, value.isFinite else { return NSNull() }
        return Double(value)
    }
}
