#if canImport(Glibc)
import Glibc
#endif

/// A fixed-size, 64-byte-aligned float32 allocation with a stable address.
///
/// Weights and per-call scratch live in these: kernels take raw pointers, and a class with a
/// stable pointer avoids array copy-on-write checks and closure nesting in hot loops. Always
/// at least one element is allocated, so `pointer` is valid even for an empty buffer.
package final class FloatBuffer: @unchecked Sendable {
    package let pointer: UnsafeMutablePointer<Float>
    package let count: Int

    package init(count: Int, zeroed: Bool = true) {
        self.count = max(0, count)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, self.count) * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(1, self.count))
        if zeroed { pointer.initialize(repeating: 0, count: max(1, self.count)) }
    }

    package convenience init(_ values: [Float]) {
        self.init(count: values.count, zeroed: false)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    /// Asks the kernel to back the 2 MB-aligned interior of a fresh, large allocation with huge pages.
    ///
    /// Loading copies each tensor into newly allocated memory (or packs it into new panels), and on
    /// first touch every 4 KB page of it faults and is zeroed; with transparent huge pages in
    /// "madvise" mode (the Debian default) one fault serves 2 MB, which measured ~1.4x faster loading,
    /// and a decoding step that streams the panels walks 512x fewer pages. Purely advisory: failure
    /// changes nothing.
    package static func adviseHugePages(_ start: UnsafeMutableRawPointer, byteCount: Int) {
        #if os(Linux)
        let huge = 2 << 20
        guard byteCount >= 2 * huge else { return }
        let address = Int(bitPattern: start)
        let first = (address + huge - 1) & ~(huge - 1)
        let last = (address + byteCount) & ~(huge - 1)
        if last > first, let p = UnsafeMutableRawPointer(bitPattern: first) {
            _ = madvise(p, last - first, MADV_HUGEPAGE)
        }
        #endif
    }

    deinit {
        UnsafeMutableRawPointer(pointer).deallocate()
    }

    package var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    package subscript(i: Int) -> Float {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}

extension Tensor {
    /// The tensor's elements in a new buffer.
    package var buffer: FloatBuffer { FloatBuffer(storage) }
}
