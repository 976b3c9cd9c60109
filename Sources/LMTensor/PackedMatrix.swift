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

    /// Packs `weight` (N, K), or returns nil when this CPU has no packed kernel (then callers keep
    /// the plain weight and OpenBLAS).
    package init?(weight: UnsafePointer<Float>, outFeatures n: Int, inFeatures k: Int) {
        guard Kernels.packedFloat32 != nil, n > 0, k > 0 else { return nil }
        outFeatures = n
        inFeatures = k
        let count = Int(lmk_packed_count(Int64(n), Int64(k)))
        panels = FloatBuffer(count: count, zeroed: false)
        let out = panels.pointer
        let panelCount = (n + Int(LMK_PANEL) - 1) / Int(LMK_PANEL)
        Parallel.chunks(panelCount, threads: Kernels.threads, minimumPerThread: 64) { range in
            lmk_pack(weight, Int64(n), Int64(k), out, Int64(range.lowerBound), Int64(range.upperBound))
        }
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
        let packed = UnsafePointer(panelsPointer)
        Parallel.chunks(panelCount, threads: Kernels.threads, minimumPerThread: minimum) { range in
            kernel(x, Int64(k), Int64(m), Int64(k), packed, Int64(n), bias, y, Int64(n),
                   Int64(range.lowerBound), Int64(range.upperBound))
        }
    }

    /// Writes the weight back in its (N, K) row-major layout (fusing already packed layers).
    package func unpack(into w: UnsafeMutablePointer<Float>) {
        let panel = Int(LMK_PANEL), k = inFeatures
        for row in 0..<outFeatures {
            let base = panels.pointer + (row / panel) * panel * k + row % panel
            for i in 0..<k { w[row * k + i] = base[i * panel] }
        }
    }

    @usableFromInline var panelsPointer: UnsafeMutablePointer<Float> { panels.pointer }

    /// Floats held (the panels, padded to a multiple of 16 rows).
    package var storedCount: Int { panels.count }
}

/// Which of lmcore's own kernels run on this CPU, chosen once from cpuid.
package enum Kernels {
    package typealias PackedGemm = @convention(c) (
        UnsafePointer<Float>?, Int64, Int64, Int64, UnsafePointer<Float>?, Int64,
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
