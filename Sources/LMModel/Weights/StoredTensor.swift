/// Where a tensor's elements are inside a mapped checkpoint file.
///
/// Built only by the format readers after validation: every element the layout addresses lies inside
/// `file`, and the element count and byte size were computed without overflow.
struct StoredTensor: Sendable {
    let info: TensorInfo
    let file: MappedFile
    /// Byte offset, from the start of the file, of the first element (index [0, 0, ...]).
    let byteOffset: Int
    /// Element strides per dimension, or nil for a contiguous row-major tensor.
    let strides: [Int]?

    /// Bytes per element (readers only build tensors of whole-byte dtypes or contiguous sub-byte ones).
    var elementSize: Int { info.dtype.byteSize ?? 0 }

    /// The contiguous byte size: element count × element size (checked at validation).
    var byteCount: Int {
        info.dtype.bitSize * info.elementCount / 8
    }

    /// True when the elements lie one after another in row-major order.
    var isContiguous: Bool {
        guard let strides else { return true }
        return StoredTensor.isRowMajor(shape: info.shape, strides: strides)
    }

    static func isRowMajor(shape: [Int], strides: [Int]) -> Bool {
        var expected = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            // A dimension of size 1 may carry any stride without moving the data.
            if shape[d] != 1 && strides[d] != expected { return false }
            expected = expected &* shape[d]
        }
        return true
    }

    /// The tensor's bytes in row-major order, in its stored dtype.
    func contiguousBytes() -> [UInt8] {
        let total = byteCount
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            guard let dst = buffer.baseAddress, total > 0 else {
                initialized = 0
                return
            }
            if file.bytes.baseAddress == nil {
                buffer.initialize(repeating: 0)  // unreachable for validated tensors; never expose garbage
            } else {
                copyContiguousBytes(into: UnsafeMutableRawPointer(dst))
            }
            initialized = total
        }
    }

    /// The bytes of the file the tensor's elements lie in (for a view, its first to last element).
    var byteRange: Range<Int> {
        guard let strides, info.elementCount > 0 else { return byteOffset..<(byteOffset + byteCount) }
        let last = zip(info.shape, strides).reduce(0) { $0 + ($1.0 - 1) * $1.1 }
        return byteOffset..<(byteOffset + (last + 1) * elementSize)
    }

    /// Writes the tensor's bytes in row-major order to `dst`, which has room for `byteCount` bytes.
    func copyContiguousBytes(into dst: UnsafeMutableRawPointer) {
        guard let base = file.bytes.baseAddress, byteCount > 0 else { return }
        file.willNeed(byteRange)
        let src = base + byteOffset
        guard let strides, !isContiguous else {
            dst.copyMemory(from: src, byteCount: byteCount)
            return
        }
        // Strided source (a PyTorch view saved as is): walk the indices in row-major order.
        let shape = info.shape
        let size = elementSize
        let rank = shape.count
        var index = [Int](repeating: 0, count: rank)
        var srcOffset = 0
        var out = dst
        let count = info.elementCount
        for _ in 0..<count {
            out.copyMemory(from: src + srcOffset &* size, byteCount: size)
            out += size
            var d = rank - 1
            while d >= 0 {
                // Wrapping arithmetic: intermediate sums may pass a huge stride of a size-1 dimension;
                // every offset actually used was bounds-checked when the tensor was validated.
                index[d] += 1
                srcOffset = srcOffset &+ strides[d]
                if index[d] < shape[d] { break }
                srcOffset = srcOffset &- strides[d] &* shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}
