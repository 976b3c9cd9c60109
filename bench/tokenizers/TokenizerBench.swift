// lmcore tokenizer benchmark harness (not a test): built by bench_tokenizers.py with swiftc
// against the release objects of LMTokenizer, so it needs no target in Package.swift.
//
// usage: tokbench <tokenizer.json> <lines.txt> <repeats>
// Prints one JSON object: load CPU seconds, encode wall and CPU seconds per repeat (single thread, encodeBatch of
// every line with special tokens), token count and an FNV checksum of all ids.
import Foundation
import LMTokenizer

@main
struct TokenizerBench {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count >= 4, let repeats = Int(args[3]) else {
            FileHandle.standardError.write(Data("usage: tokbench <tokenizer.json> <lines.txt> <repeats>\n".utf8))
            exit(2)
        }
        let text = try String(contentsOfFile: args[2], encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var loadTimes: [Double] = []
        var tokenizer: HFTokenizer? = nil
        for _ in 0..<3 {
            let c0 = threadCPUTime()
            tokenizer = try HFTokenizer.load(tokenizerJSON: args[1])
            loadTimes.append(threadCPUTime() - c0)
        }
        guard let tok = tokenizer else { exit(1) }
        var times: [Double] = []
        var cpuTimes: [Double] = []
        var count = 0
        var checksum: UInt64 = 0xcbf2_9ce4_8422_2325
        for r in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let c0 = threadCPUTime()
            let encodings = try tok.encodeBatch(lines, addSpecialTokens: true)
            cpuTimes.append(threadCPUTime() - c0)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            if r == 0 {
                for e in encodings {
                    count += e.ids.count
                    for id in e.ids { checksum = (checksum ^ UInt64(UInt32(bitPattern: id))) &* 0x100_0000_01B3 }
                }
            }
        }
        print("{\"load_s\": \(loadTimes.min() ?? 0), \"encode_s\": \(times), \"encode_cpu_s\": \(cpuTimes), \"tokens\": \(count), \"checksum\": \(checksum)}")
    }

    /// CPU time of the calling thread (the machine is shared, so wall time alone is noisy).
    static func threadCPUTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
