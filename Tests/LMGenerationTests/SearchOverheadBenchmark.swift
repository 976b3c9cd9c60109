import Foundation
import LMGeneration
import LMTensor
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// CPU time of the calling thread: the machine is shared, so wall-clock time would count other processes.
struct ThreadClock {
    static var now: Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

/// Search overhead per decoder step at OPUS-MT scale (V = 58101), against a peer: the LM-head projection that
/// every real decoder step contains ((rows × 512) · (58101 × 512)ᵀ, OpenBLAS, as LMTensor's MatMul.linear). Not a unit test: it runs only
/// with LMCORE_BENCH=1 (bench/search/overhead.sh) and asserts nothing about speed.
@Suite("Search overhead benchmark", .enabled(if: ProcessInfo.processInfo.environment["LMCORE_BENCH"] != nil))
struct SearchOverheadBenchmark {
    static let vocab = 58101
    static let dModel = 512

    /// Returns fresh logits every step, as a model does, from a few precomputed realistic rows (Gaussian
    /// logits with a peaked head), and measures the time spent inside itself so it can be subtracted.
    struct TimedDecoder: StepDecoder {
        let vocabularySize = SearchOverheadBenchmark.vocab
        let templates: [[Float]]
        var rows: Int
        var decoderTime: Double = 0
        var steps = 0

        mutating func step(_ tokens: [Int32]) throws -> Tensor {
            let start = ThreadClock.now
            var storage = [Float](repeating: 0, count: tokens.count * vocabularySize)
            storage.withUnsafeMutableBufferPointer { out in
                for r in 0..<tokens.count {
                    let t = templates[(r + steps + Int(tokens[r])) % templates.count]
                    t.withUnsafeBufferPointer { src in
                        out.baseAddress!.advanced(by: r * vocabularySize).update(from: src.baseAddress!, count: src.count)
                    }
                }
            }
            steps += 1
            rows = tokens.count
            decoderTime += ThreadClock.now - start
            return Tensor(shape: [tokens.count, vocabularySize], storage: storage)
        }

        mutating func reorder(_ indices: [Int]) throws { rows = indices.count }
    }

    static func templates() -> [[Float]] {
        var rng = SystemRandomNumberGenerator()
        return (0..<8).map { _ in
            var row = (0..<vocab).map { _ -> Float in
                // Box–Muller normal, σ = 2
                let u = Double.random(in: Double.ulpOfOne..<1, using: &rng), v = Double.random(in: 0..<1, using: &rng)
                return Float(2 * (-2 * log(u)).squareRoot() * cos(2 * .pi * v))
            }
            for _ in 0..<20 { row[Int.random(in: 0..<vocab, using: &rng)] += Float.random(in: 6...12, using: &rng) }
            row[0] = -4  // EOS unlikely: every run goes to max_new_tokens
            return row
        }
    }

    /// The LM-head weight (119 MB in float32, like OPUS-MT's), allocated once.
    static let lmHead = [Float](repeating: 0.001, count: dModel * vocab)

    /// Seconds per LM-head GEMM for `rows` rows (the peer), best of `repeats`.
    static func lmHeadSeconds(rows: Int, repeats: Int) -> Double {
        let a = [Float](repeating: 0.01, count: rows * dModel)
        let w = lmHead
        var c = [Float](repeating: 0, count: rows * vocab)
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = ThreadClock.now
            // PyTorch's (out, in) layout, as LMTensor's MatMul.linear does it (sgemv for one row).
            BLAS.gemmTransposedB(m: rows, n: vocab, k: dModel, a: a, lda: dModel, b: w, ldb: dModel,
                                 c: &c, ldc: vocab)
            best = min(best, ThreadClock.now - start)
        }
        return best
    }

    /// Search seconds per step (total minus time inside the decoder), best of `repeats`.
    static func searchSeconds(options: GenerationOptions, batch: Int, templates: [[Float]], repeats: Int)
        throws -> Double {
        var best = Double.infinity
        for _ in 0..<repeats {
            var d = TimedDecoder(templates: templates, rows: batch)
            let start = ThreadClock.now
            _ = try Generation.generate(decoder: &d, inputs: Array(repeating: GenerationInput(), count: batch),
                                        options: options)
            let total = (ThreadClock.now - start) - d.decoderTime
            best = min(best, total / Double(d.steps))
        }
        return best
    }

    @Test func overheadPerStep() throws {
        let templates = SearchOverheadBenchmark.templates()
        var base = GenerationOptions()
        base.decoderStartTokenId = 58100
        base.eosTokenId = [0]
        base.maxNewTokens = 64
        var beam4 = base
        beam4.numBeams = 4
        var marian = beam4  // what OPUS-MT's generation_config.json asks for
        marian.badWordsIds = [[58100]]
        marian.forcedEosTokenId = [0]
        marian.renormalizeLogits = true
        var beam4Scores = beam4
        beam4Scores.outputScores = true
        let configurations: [(String, GenerationOptions, Int)] = [
            ("greedy, batch 1", base, 1), ("beam 4, batch 1", beam4, 1),
            ("beam 4 + Marian processors", marian, 1), ("beam 4 + output_scores", beam4Scores, 1),
            ("beam 4, batch 8", beam4, 8),
        ]
        print("search overhead per decoder step, V = \(SearchOverheadBenchmark.vocab), thread CPU time, best of 5 (interleaved)")
        let only = ProcessInfo.processInfo.environment["LMCORE_BENCH_ONLY"]
        for (name, options, batch) in configurations where only == nil || name == only {
            let rows = batch * (options.numBeams ?? 1)
            var search = Double.infinity, peer = Double.infinity
            for _ in 0..<5 {
                search = min(search, try SearchOverheadBenchmark.searchSeconds(
                    options: options, batch: batch, templates: templates, repeats: 1))
                peer = min(peer, SearchOverheadBenchmark.lmHeadSeconds(rows: rows, repeats: 1))
            }
            let line = String(format: "%-28@ rows %2d: search %7.1f µs/step, LM-head GEMM %7.1f µs, ratio %.1f%%",
                              name as NSString, rows, search * 1e6, peer * 1e6, 100 * search / peer)
            print(line)
        }
    }
}
