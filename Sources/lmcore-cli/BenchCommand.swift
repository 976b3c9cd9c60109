import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LMCore

/// `lmcore-cli bench --model DIR`: generation speed of one model folder on this machine.
///
/// A fixed, seeded batch of random source ids (ordinary tokens, then EOS; or the lines of
/// `-i FILE` through the tokenizer) is decoded with a fixed number of new tokens (min = max, so
/// every run does the same number of decoder steps whatever the weights), after one untimed
/// warm-up run. Prints load time, each run's tokens/s, the best and median, peak RSS, and where
/// each run's time went: encoder, decoder steps, cache reorders and the search between steps
/// (its share of decoding is the "search bookkeeping" figure).
/// Comparisons with other engines live in bench/ (one script, interleaved runs): machine speed
/// drifts, so absolute figures from separate processes are not comparable.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure generation speed (tokens/s) and peak memory on a fixed random batch.")

    @OptionGroup var modelFlags: ModelFlags

    @Option(name: .shortAndLong, help: "Text inputs, one per line (default: random source ids).")
    var input: String?

    @Option(name: .long, help: "Inputs in the batch.")
    var batchSize = 32

    @Option(name: .long, help: "Random source lengths in ids, MIN-MAX (EOS included).")
    var sourceLength = "20-40"

    @Option(name: .long, help: "New tokens per sequence (decoder steps).")
    var newTokens = 32

    @Option(name: .long, help: "Beam size; 1 is greedy.")
    var beams = 1

    @Option(name: .long, help: "Timed runs after the warm-up.")
    var runs = 3

    @Option(name: .long, help: "Seed of the random batch.")
    var seed: UInt64 = 1

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard newTokens >= 1 else { throw ValidationError("--new-tokens must be at least 1") }
        guard beams >= 1 else { throw ValidationError("--beams must be at least 1") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard sourceLengths != nil else { throw ValidationError("--source-length must be MIN-MAX with 1 <= MIN <= MAX") }
    }

    var sourceLengths: ClosedRange<Int>? {
        let parts = sourceLength.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 1, parts[0] <= parts[1] else { return nil }
        return parts[0]...parts[1]
    }

    func run() throws {
        let started = Date()
        let loaded = try modelFlags.load(tokenizer: input != nil)
        let loadSeconds = Date().timeIntervalSince(started)
        let sources = try CLI.run { try batch(for: loaded) }

        var options = GenerationOptions()
        options.numBeams = beams
        options.maxNewTokens = newTokens
        options.minNewTokens = newTokens
        options.numReturnSequences = 1

        let info = loaded.info
        print("model: \(info.modelType), d_model \(info.dModel), \(info.encoder.layers)+\(info.decoder.layers) layers, "
            + "vocab \(info.decoderVocabSize) (\(modelFlags.model))")
        print("batch: \(sources.count) inputs of \(sources.map(\.count).min() ?? 0)-\(sources.map(\.count).max() ?? 0) ids, "
            + "\(beams == 1 ? "greedy" : "beam \(beams)"), \(newTokens) new tokens, threads \(loaded.threads)")
        print(String(format: "load: %.3f s", loadSeconds))

        var rates: [Double] = []
        var shares: [Double] = []
        for run in 0...runs {
            let t0 = Date()
            let (results, timings) = try CLI.run { try loaded.profiledGenerate(sources, options: options) }
            let seconds = Date().timeIntervalSince(t0)
            // Tokens after the decoder start token; a sequence may stop at newTokens only if
            // EOS is forced there, so count what was generated.
            let tokens = results.reduce(0) { $0 + ($1.first?.ids.count ?? 0) }
            if run == 0 {
                print(String(format: "warm-up: %.3f s", seconds))
                continue
            }
            let rate = Double(tokens) / seconds
            rates.append(rate)
            shares.append(timings.bookkeepingShare)
            print(String(format: "run %d: %.3f s, %d tokens, %.1f tokens/s; encoder %.3f s, %d decoder steps %.3f s, "
                + "reorder %.4f s, search %.4f s (%.1f%% of decoding)", run, seconds, tokens, rate,
                timings.encoderSeconds, timings.steps, timings.decoderStepSeconds, timings.reorderSeconds,
                timings.searchSeconds, 100 * timings.bookkeepingShare))
        }
        let sorted = rates.sorted()
        print(String(format: "tokens/s: best %.1f, median %.1f", sorted.last ?? 0, sorted[sorted.count / 2]))
        // Search bookkeeping: time outside the decoder's forward (search + reorders) per decoding time.
        print(String(format: "search bookkeeping: median %.1f%% of decoding (best %.1f%%)",
                     100 * shares.sorted()[shares.count / 2], 100 * (shares.min() ?? 0)))
        print("peak RSS: \(Self.peakResidentMegabytes().map { "\($0) MB" } ?? "unknown")")
        print("compute: \(loaded.info.compute)")
        print("compute type: \(loaded.info.computeType)")  // read now: OpenBLAS may be opened lazily by the first call
    }

    /// The source ids: the tokenized lines of --input, or a seeded random batch.
    func batch(for loaded: Model) throws -> [[Int32]] {
        if let input {
            let tokenizer = try loaded.requireTokenizer()
            guard let text = FileManager.default.contents(atPath: input).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw LMCoreError(.io, "cannot read \(input)")
            }
            let lines = text.split(separator: "\n").prefix(batchSize).map(String.init)
            guard !lines.isEmpty else { throw LMCoreError(.invalidArgument, "\(input) has no lines") }
            do {
                return try lines.map { try tokenizer.encode($0).ids }
            } catch {
                throw LMCoreError.wrap(error)
            }
        }
        let config = loaded.info
        let special = Set([config.padTokenId, config.decoderStartTokenId] + config.eosTokenIds + [config.bosTokenId].compactMap { $0 })
        let ordinary = (0..<config.vocabSize).filter { !special.contains($0) }
        guard !ordinary.isEmpty, let eos = config.eosTokenIds.first, let lengths = sourceLengths else {
            throw LMCoreError(.invalidArgument, "the model has no ordinary tokens to draw a batch from")
        }
        var rng = SplitMix64(seed: seed)
        return (0..<batchSize).map { _ in
            let n = lengths.lowerBound + Int(rng.next() % UInt64(lengths.count))
            return (0..<(n - 1)).map { _ in Int32(ordinary[Int(rng.next() % UInt64(ordinary.count))]) } + [Int32(eos)]
        }
    }

    /// VmHWM of /proc/self/status: the process's peak resident set.
    static func peakResidentMegabytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kB = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kB / 1024
    }
}

/// A small seeded generator: the same batch on every machine and run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
