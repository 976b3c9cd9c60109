// Times lmcore's checkpoint loading: open a checkpoint and read every tensor as float32, as model code
// does. Built and driven by bench/weights/bench_weights.py (which times the Python peer the same way).
//
// usage: weights-bench FILE-OR-FOLDER...
// prints one line per argument: "<path> <wall seconds> <bytes> <checksum> <CPU seconds>"
#if canImport(Glibc)
import Glibc
#endif
import LMTensor

func now(_ clock: clockid_t = CLOCK_MONOTONIC) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

@main
struct WeightsBench {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            do {
                let start = now()
                let cpuStart = now(CLOCK_PROCESS_CPUTIME_ID)
                let isFolder = !path.hasSuffix(".safetensors") && !path.hasSuffix(".bin")
                let store = isFolder ? try WeightStore.open(directory: path) : try WeightStore.open(files: [path])
                var floats = 0
                var checksum: Float = 0
                for key in store.keys {
                    let t = try store.tensor(key)
                    floats += t.count
                    // Touch one value per tensor so the copy cannot be skipped.
                    checksum += t.storage.isEmpty ? 0 : t.storage[t.count / 2]
                }
                let elapsed = now() - start
                let cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpuStart
                print("\(path) \(elapsed) \(floats * 4) \(checksum) \(cpu)")
            } catch {
                print("error: \(error)")
                exit(1)
            }
        }
    }
}
