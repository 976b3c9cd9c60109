#if canImport(Glibc)
import Glibc
#endif
import LMTensor
import LMInput

/// The decoder's self-attention keys and values, for every layer, for every live row.
///
/// Keys/values are written once into per-layer pools of "slots" (one slot per row per step)
/// and never moved. Each row keeps the list of its slots, position by position. Reordering rows
/// for beam search therefore copies only these small index lists, not the cached tensors
/// (CTranslate2 gathers the whole cache on every reorder; candle recomputes it).
package final class DecoderCache: @unchecked Sendable {
    package let layers: Int
    package let inner: Int
    private var keyPools: [GrowablePool]
    private var valuePools: [GrowablePool]
    private var capacity: Int
    private var used = 0
    /// Per row, the slot of each cached position.
    private var histories: [[Int32]]
    /// The first slot of the step being computed (rows take consecutive slots).
    private var stepBase = 0
    /// Cached positions per row, including the step being computed once `beginStep` ran.
    package private(set) var length = 0

    package init(layers: Int, inner: Int, rows: Int) {
        self.layers = layers
        self.inner = inner
        self.capacity = max(16, rows * 8)
        keyPools = []
        valuePools = []
        histories = Array(repeating: [], count: rows)
    }

    package var rows: Int { histories.count }

    /// The most memory the cache may take (keys and values of every layer): three quarters of
    /// physical memory. Past it a step fails cleanly instead of the process dying of OOM.
    package static let memoryBudget: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return 8 << 30 }
        return Int(pages) / 4 * 3 * Int(pageSize)
    }()

    /// Reserves one new slot per row for the next position.
    package func beginStep() throws {
        let rows = histories.count
        if keyPools.isEmpty {
            // Pools are made on the first step, so a failure is an error of that step.
            // Each pool may take its share of the memory budget (checked below as a total); under an
            // address-space cap, only what the first steps need.
            let share = DecoderCache.memoryBudget / (2 * Swift.max(1, layers) * MemoryLayout<Float>.stride)
            let initial = capacity * inner
            let reserve = GrowablePool.addressSpaceIsLimited ? initial : Swift.max(initial, share)
            keyPools = try (0..<layers).map { _ in try GrowablePool(maxCount: reserve, minCount: initial) }
            valuePools = try (0..<layers).map { _ in try GrowablePool(maxCount: reserve, minCount: initial) }
            try grow(to: capacity)
        }
        if used + rows > capacity {
            let newCapacity = max(capacity * 2, used + rows)
            let bytes = newCapacity.multipliedReportingOverflow(by: inner * layers * 2 * MemoryLayout<Float>.stride)
            guard !bytes.overflow, bytes.partialValue <= DecoderCache.memoryBudget else {
                throw InputError.invalidArgument("the decoder cache would need more than \(DecoderCache.memoryBudget >> 20) "
                    + "MiB after \(length) steps of \(rows) rows; generate fewer tokens or smaller batches")
            }
            try grow(to: newCapacity)
        }
        stepBase = used
        used += rows
        for r in 0..<rows {
            histories[r].append(Int32(stepBase + r))
        }
        length += 1
    }

    /// Copies each row's new key (first `inner` floats at `source + r·stride`) and value (the
    /// next `inner` floats) into this step's slots of `layer`. Only after `beginStep`.
    package func store(layer: Int, rows: Int, from source: UnsafePointer<Float>, stride: Int) {
        let k = keyPools[layer].pointer, v = valuePools[layer].pointer
        for r in 0..<rows {
            let src = source + r * stride
            (k + (stepBase + r) * inner).update(from: src, count: inner)
            (v + (stepBase + r) * inner).update(from: src + inner, count: inner)
        }
    }

    package func keys(layer: Int) -> UnsafeMutablePointer<Float> { keyPools[layer].pointer }
    package func values(layer: Int) -> UnsafeMutablePointer<Float> { valuePools[layer].pointer }

    /// Calls `body` with the slot list of `row` (`length` entries).
    @inlinable
    package func withHistory<R>(row: Int, _ body: (UnsafePointer<Int32>) -> R) -> R {
        historyStorage(row).withUnsafeBufferPointer { buffer in
            // A history is never empty once a step began; the placeholder only keeps this total.
            body(buffer.baseAddress ?? UnsafePointer(DecoderCache.noSlots))
        }
    }

    @usableFromInline
    nonisolated(unsafe) static let noSlots = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

    @usableFromInline
    func historyStorage(_ row: Int) -> [Int32] { histories[row] }

    /// Keeps rows `indices` in this order (repeats allowed). Only slot lists move.
    package func reorder(_ indices: [Int]) {
        histories = indices.map { histories[$0] }
    }

    private func grow(to newCapacity: Int) throws {
        for l in 0..<layers {
            try keyPools[l].grow(to: newCapacity * inner)
            try valuePools[l].grow(to: newCapacity * inner)
        }
        capacity = newCapacity
    }
}
