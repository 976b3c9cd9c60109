import Dispatch

/// Splitting independent work (attention heads, rows) across threads.
///
/// OpenBLAS parallelises inside each GEMM; everything else (attention per row and head,
/// norms, activations over many rows) is parallelised here, in contiguous chunks so each
/// thread touches its own memory.
package enum Parallel {
    /// Runs `body(range)` over `0..<count` split into at most `threads` contiguous chunks.
    /// Runs inline when one thread is asked for or the work is smaller than `minimumPerThread`.
    @inlinable
    package static func chunks(_ count: Int, threads: Int, minimumPerThread: Int = 1,
                              _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let workers = workers(count, threads: threads, minimumPerThread: minimumPerThread)
        if workers == 1 {
            body(0..<count)
            return
        }
        let per = (count + workers - 1) / workers
        withoutActuallyEscaping(body) { body in
            // The chunks are disjoint by construction; callers pass closures over raw pointers
            // into buffers they own for the duration of the call.
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let start = w * per
                let end = Swift.min(count, start + per)
                if start < end { shared.value(start..<end) }
            }
        }
    }
}

extension Parallel {
    /// Threads worth using for `count` items: at most `threads`, each with `minimumPerThread`.
    @inlinable
    package static func workers(_ count: Int, threads: Int, minimumPerThread: Int) -> Int {
        Swift.max(1, Swift.min(threads, count / Swift.max(1, minimumPerThread)))
    }
}

/// Carries a value across a concurrency boundary the compiler cannot prove safe; used only
/// where the code documents why it is (disjoint writes, read-only sharing).
package struct UncheckedSendable<Value>: @unchecked Sendable {
    package let value: Value
    @inlinable package init(_ value: Value) { self.value = value }
}
