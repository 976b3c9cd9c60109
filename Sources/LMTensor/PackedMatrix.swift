import CKernels
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A linear layer's (N, K) weight rearranged once, at load, into the panel layout of lmcore's own
/// GEMM kernels (Sources/CKernels/include/lmkernels.h), so the decoder's small products (1-256
/// rows per step) stream each weight once with no per-call packing.
///
/// Shapes: x (M, K) row-major, y (M, N); the same contract as `MatMul.linear`.
package final class PackedMatrix: Sendable {
    package let outFeatures: Int
    package let inFeatures: Int
    private let panels: FloatBuffer
    /// The last, partial panel when the matrix was packed in place (else it follows the others).
    private let tail: FloatBuffer?

    /// Packs `weight` (N, K) into a new buffer, or returns nil when this CPU has no packed kernel
    /// (then callers keep the plain weight and OpenBLAS).
    package init?(weight: UnsafePointer<Float>, outFeatures n: Int, inFeatures k: Int) {
        guard Kernels.packedFloat32 != nil, n > 0, k > 0 else { return nil }
        outFeatures = n
        inFeatures = k
        let count = Int(lmk_packed_count(Int64(n), Int64(k)))
        panels = FloatBuffer(count: count, zeroed: false)
        tail = nil
        let out = panels.pointer
        let panelCount = (n + Int(LMK_PANEL) - 1) / Int(LMK_PANEL)
        Parallel.chunks(panelCount, threads: Kernels.threads, minimumPerThread: 64) { range in
            lmk_pack(weight, Int64(n), Int64(k), out, Int64(range.lowerBound), Int64(range.upperBound))
        }
    }

    /// Packs `buffer`, an (N, K) weight, where it lies (see lmk_pack_in_place): for a table too large
    /// to hold twice even briefly (the lm head). The buffer's plain contents are gone afterwards, so
    /// the caller must own it alone or replace every other use by this matrix. nil (and `buffer`
    /// untouched) when this CPU has no packed kernel.
    package init?(packingInPlace buffer: FloatBuffer, outFeatures n: Int, inFeatures k: Int) {
        guard Kernels.packedFloat32 != nil, n > 0, k > 0, buffer.count == n * k else { return nil }
        outFeatures = n
        inFeatures = k
        panels = buffer
        let panel = Int(LMK_PANEL)
        let tailBuffer = n % panel == 0 ? nil : FloatBuffer(count: panel * k, zeroed: false)
        tail = tailBuffer
        let scratch = FloatBuffer(count: panel * k, zeroed: false)
        lmk_pack_in_place(buffer.pointer, Int64(n), Int64(k), tailBuffer?.pointer, scratch.pointer)
    }

    /// Panel `p` (16 · K floats, k-major).
    private func panel(_ p: Int) -> UnsafeMutablePointer<Float> {
        let size = Int(LMK_PANEL) * inFeatures
        if let tail, p == outFeatures / Int(LMK_PANEL) { return tail.pointer }
        return panels.pointer + p * size
    }

    /// y(M, N) = x(M, K) · Wᵀ (+ bias(N)); `y` is overwritten. Panels are split across threads.
    @inlinable
    package func linear(_ x: UnsafePointer<Float>, rows m: Int, bias: UnsafePointer<Float>?,
                        into y: UnsafeMutablePointer<Float>) {
        guard m > 0, let kernel = Kernels.packedFloat32 else { return }
        let n = outFeatures, k = inFeatures
        let panelCount = (n + Int(LMK_PANEL) - 1) / Int(LMK_PANEL)
        // A thread is worth waking for about 128K multiply-adds (a few microseconds).
        let perPanel = m * k * Int(LMK_PANEL)
        let minimum = Swift.max(1, (1 << 17) / Swift.max(1, perPanel))
        let packed = UnsafePointer(panelsPointer), tail = tailPointer.map { UnsafePointer($0) }
        Parallel.chunks(panelCount, threads: Kernels.threads, minimumPerThread: minimum) { range in
            kernel(x, Int64(k), Int64(m), Int64(k), packed, tail, Int64(n), bias, y, Int64(n),
                   Int64(range.lowerBound), Int64(range.upperBound))
        }
    }

    /// Writes the weight back in its (N, K) row-major layout (fusing already packed layers).
    package func unpack(into w: UnsafeMutablePointer<Float>) {
        let panel = Int(LMK_PANEL), k = inFeatures
        for row in 0..<outFeatures {
            let base = self.panel(row / panel) + row % panel
            for i in 0..<k { w[row * k + i] = base[i * panel] }
        }
    }

    /// out(i, K) = scale · W[ids[i]]: the rows of a packed token table that is also the lm head
    /// (tied embeddings keep one copy, the packed one). Ids must have been validated (< N).
    package func gatherRows(_ ids: UnsafeBufferPointer<Int32>, scale: Float, into out: UnsafeMutablePointer<Float>) {
        let panel = Int(LMK_PANEL), k = inFeatures
        for (i, id) in ids.enumerated() {
            let row = Int(id)
            let base = self.panel(row / panel) + row % panel
            let dst = out + i * k
            for c in 0..<k { dst[c] = base[c * panel] * scale }
        }
    }

    @usableFromInline var panelsPointer: UnsafeMutablePointer<Float> { panels.pointer }
    @usableFromInline var tailPointer: UnsafeMutablePointer<Float>? { tail?.pointer }

    /// Floats held (the panels, the last one padded to 16 rows).
    package var storedCount: Int { panels.count + (tail?.count ?? 0) }
}

/// Which of lmcore's own kernels run on this CPU, chosen once from cpuid.
package enum Kernels {
    package typealias PackedGemm = @convention(c) (
        UnsafePointer<Float>?, Int64, Int64, Int64, UnsafePointer<Float>?, UnsafePointer<Float>?, Int64,
        UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64, Int64, Int64) -> Void

    /// The CPU features cpuid reports (LMK_CPU_* bits).
    package static let cpuFeatures: UInt32 = lmk_cpu_features()

    /// The packed float32 GEMM for this CPU; nil without AVX2+FMA, or when LMCORE_PACKED_GEMM=0
    /// asks for OpenBLAS everywhere (for A/B runs).
    @usableFromInline
    package static let packedFloat32: PackedGemm? = {
        if let env = getenv("LMCORE_PACKED_GEMM"), String(cString: env) == "0" { return nil }
        if cpuFeatures & UInt32(LMK_CPU_AVX2_FMA) != 0 { return lmk_gemm_packed_avx2 }
        return nil
    }()

    /// Threads the packed kernels split a product over; the model's thread setting (process-wide,
    /// as OpenBLAS's is).
    package static var threads: Int {
        get { threadSetting.load(ordering: .relaxed) }
        set { threadSetting.store(Swift.max(1, newValue), ordering: .relaxed) }
    }
    private static let threadSetting = Atomic<Int>(1)

    /// "packed AVX2+FMA" or "OpenBLAS only (...)", for `inspect` and `bench`.
    package static var description: String {
        packedFloat32 != nil ? "packed float32 GEMM, AVX2+FMA (decoder)" : "OpenBLAS only (no AVX2+FMA packed kernel)"
    }

    /// The CPU's features by name, as `inspect` prints them.
    package static var cpuFeatureNames: [String] {
        let names: [(UInt32, String)] = [
            (UInt32(LMK_CPU_AVX2_FMA), "avx2+fma"), (UInt32(LMK_CPU_AVX512F), "avx512f"),
            (UInt32(LMK_CPU_AVX512_VNNI), "avx512_vnni"), (UInt32(LMK_CPU_AVX512_BF16), "avx512_bf16"),
            (UInt32(LMK_CPU_AVX_VNNI), "avx_vnni"), (UInt32(LMK_CPU_AMX), "amx"),
        ]
        return names.filter { cpuFeatures & $0.0 != 0 }.map(\.1)
    }
}
