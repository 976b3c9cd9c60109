#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LMTensor
import LMInput

/// A linear weight stored as int8: `<key>` I8 (N, K) with `<key>_scale` F32 (N) or (N, 1), one scale
/// per output feature (w ≈ q · scale). `lmcore-cli convert --quantize int8` writes this layout (the
/// channel-wise int8 naming of compressed-tensors' `weight` / `weight_scale`); `PackedMatrix` packs it
/// without quantizing again. The values stay in the mapped file until a layer packs them.
package final class Int8Matrix: @unchecked Sendable {  // immutable after init
    package let rows: Int
    package let columns: Int
    /// One scale per row, validated finite and non-negative.
    package let scales: FloatBuffer
    private let stored: StoredTensor
    /// The values, row-major: in the mapping, or (a strided view) a copy this object owns.
    private let values: UnsafePointer<Int8>
    private let ownsValues: Bool

    /// `stored` is a validated I8 tensor of shape (N, K), N and K positive.
    init(stored: StoredTensor, scales: FloatBuffer) {
        self.stored = stored
        rows = stored.info.shape[0]
        columns = stored.info.shape[1]
        self.scales = scales
        if stored.isContiguous, let base = stored.file.bytes.baseAddress {
            values = (base + stored.byteOffset).assumingMemoryBound(to: Int8.self)
            ownsValues = false
        } else {
            let copy = UnsafeMutablePointer<Int8>.allocate(capacity: rows * columns)
            copy.initialize(repeating: 0, count: rows * columns)
            let bytes = stored.contiguousBytes()
            for i in 0..<min(bytes.count, rows * columns) { copy[i] = Int8(bitPattern: bytes[i]) }
            values = UnsafePointer(copy)
            ownsValues = true
        }
    }

    deinit {
        if ownsValues { UnsafeMutablePointer(mutating: values).deallocate() }
    }

    /// Runs `body` on the N·K values, row-major.
    package func withValues<R>(_ body: (UnsafePointer<Int8>) -> R) -> R {
        if !ownsValues { stored.file.willNeed(stored.byteRange) }
        return body(values)
    }

    /// The weight as float32 (q · scale, exact): for products that run on plain float weights.
    package func dequantized() -> FloatBuffer {
        let out = FloatBuffer(count: rows * columns, zeroed: false)
        withValues { q in
            for r in 0..<rows {
                Self.dequantize(q + r * columns, scale: scales.pointer[r], count: columns, into: out.pointer + r * columns)
            }
        }
        release()
        return out
    }

    /// out(i, K) = scale · W[ids[i]], dequantized (ids validated, < N).
    package func gatherRows(_ ids: UnsafeBufferPointer<Int32>, scale: Float, into out: UnsafeMutablePointer<Float>) {
        withValues { q in
            for (i, id) in ids.enumerated() {
                let r = Int(id)
                Self.dequantize(q + r * columns, scale: scales.pointer[r] * scale, count: columns, into: out + i * columns)
            }
        }
    }

    /// dst[c] = src[c] · scale: one row, dequantized.
    private static func dequantize(_ src: UnsafePointer<Int8>, scale: Float, count: Int, into dst: UnsafeMutablePointer<Float>) {
        for c in 0..<count { dst[c] = Float(src[c]) * scale }
    }

    /// Drops the mapped pages of the values once they have been packed or copied.
    package func release() {
        stored.file.release(stored.byteRange)
    }

    /// Whether both hold the same values and scales (tables tied by value, as float tables compare).
    package func hasSameContents(as other: Int8Matrix) -> Bool {
        guard rows == other.rows, columns == other.columns,
              memcmp(scales.pointer, other.scales.pointer, rows * MemoryLayout<Float>.stride) == 0 else { return false }
        return withValues { a in other.withValues { b in memcmp(a, b, rows * columns) == 0 } }
    }
}

/// A matrix as a checkpoint stores it: float (decoded to float32) or int8 rows with scales.
package enum StoredMatrix: Sendable {
    case float(FloatBuffer)
    case int8(Int8Matrix)

    /// The values as float32 (int8 dequantized).
    package var floatBuffer: FloatBuffer {
        switch self {
        case .float(let buffer): return buffer
        case .int8(let matrix): return matrix.dequantized()
        }
    }

    /// Whether both are one stored object (not merely equal values).
    package func isSame(as other: StoredMatrix) -> Bool {
        switch (self, other) {
        case (.float(let a), .float(let b)): return a === b
        case (.int8(let a), .int8(let b)): return a === b
        default: return false
        }
    }

    /// Whether both hold the same values (same storage type; float tables bit for bit).
    package func hasSameContents(as other: StoredMatrix) -> Bool {
        switch (self, other) {
        case (.float(let a), .float(let b)):
            return a.count == b.count && memcmp(a.pointer, b.pointer, a.count * MemoryLayout<Float>.stride) == 0
        case (.int8(let a), .int8(let b)):
            return a.hasSameContents(as: b)
        default:
            return false
        }
    }
}
