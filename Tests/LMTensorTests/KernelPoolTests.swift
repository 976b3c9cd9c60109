import Dispatch
import LMTensor
import Synchronization
import Testing

/// The kernels' spinning thread pool (CKernels/thread_pool.c through `Kernels.chunks`): every index
/// is covered exactly once, for small and large counts, over many products in a row (the workers
/// spin between them, then sleep), and when several threads call at once (one gets the pool, the
/// others fall back to libdispatch).
@Suite struct KernelPoolTests {
    /// Runs one product over `count` and returns how often each index was visited (pieces are
    /// disjoint, so plain counters suffice; an overlap shows up as a 2).
    static func visits(_ count: Int, threads: Int, minimum: Int = 1) -> [Int] {
        let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0)
        Kernels.chunks(count, threads: threads, minimumPerThread: minimum) { range in
            for i in range { hits[i] += 1 }
        }
        return Array(hits)
    }

    @Test(arguments: [1, 2, 3, 7, 8, 9, 64, 1000, 2009])
    func everyIndexOnce(count: Int) {
        for threads in [1, 2, 3, 8] {
            #expect(Self.visits(count, threads: threads) == [Int](repeating: 1, count: count), "\(count) x \(threads)")
        }
        #expect(Self.visits(count, threads: 4, minimum: 1000) == [Int](repeating: 1, count: count))
    }

    @Test func manyProductsInARow() {
        var wrong = 0
        for round in 0..<3000 {
            let count = 1 + round % 97
            if Self.visits(count, threads: 2) != [Int](repeating: 1, count: count) { wrong += 1 }
            // Now and then a pause long enough for the workers to go to sleep.
            if round % 500 == 499 { usleepMilliseconds(5) }
        }
        #expect(wrong == 0)
    }

    @Test func concurrentCallers() {
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { caller in
            for round in 0..<300 {
                let count = 5 + (round * 7 + caller) % 200
                if Self.visits(count, threads: 3) != [Int](repeating: 1, count: count) {
                    failures.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
    }
}

private func usleepMilliseconds(_ ms: Int) {
    let semaphore = DispatchSemaphore(value: 0)
    _ = semaphore.wait(timeout: .now() + .milliseconds(ms))
}
