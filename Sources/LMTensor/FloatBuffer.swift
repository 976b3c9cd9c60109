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
