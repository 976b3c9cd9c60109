/// A dense, row-major float32 tensor: the one numeric value type of lmcore.
///
/// Storage is a Swift array, so tensors are values (copy-on-write). Kernels work on
/// `withUnsafeBufferPointer` views; shapes are checked by callers (model code knows its shapes),
/// never from untrusted input without validation.
package struct Tensor: Sendable, Equatable {
    package private(set) var shape: [Int]
    package var storage: [Float]

    /// A tensor of `shape` filled with `value`.
    package init(shape: [Int], repeating value: Float = 0) {
        self.shape = shape
        self.storage = [Float](repeating: value, count: Tensor.elementCount(shape))
    }

    /// A tensor of `shape` over `storage`; `storage.count` must equal the product of `shape`.
    package init(shape: [Int], storage: [Float]) {
        self.shape = shape
        self.storage = storage
    }

    package var count: Int { storage.count }
    package var rank: Int { shape.count }

    /// The product of `shape` (1 for a scalar).
    package static func elementCount(_ shape: [Int]) -> Int {
        shape.reduce(1, *)
    }

    /// The same elements under a new shape with the same element count.
    package func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, storage: storage)
    }

    /// Row `i` of a rank-2 tensor, as a new tensor of shape [shape[1]].
    package func row(_ i: Int) -> [Float] {
        let n = shape[shape.count - 1]
        return Array(storage[(i * n)..<((i + 1) * n)])
    }
}
