import CKernels
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How a packed matrix stores its weights. The arithmetic is float32 for every type: reduced
/// precision only shrinks the bytes a product streams, which is what bounds the decoder's
/// products of a few rows.
package enum PackedType: String, Sendable, CaseIterable {
    case float32
    /// IEEE half, round to nearest even.
    case float16
    /// int8 with one float32 scale per output feature (max |w| / 127, as CTranslate2 quantizes),
    /// widened to float32 in registers (weight-only quantization).
    case int8
    /// The same int8 weights in groups of four k for VNNI's dot product: each product quantizes its
    /// activations per row to int8 and accumulates in int32 (CTranslate2's int8). Only where
    /// `Kernels.integerProducts`; a matrix asked for elsewhere (or with K > 65536, where the int32
    /// sums could overflow) is stored as `int8`.
    case int8Compute

    var code: Int32 {
        switch self {
        case .float32: return 0
        case .float16: return 1
        case .int8: return 2
        case .int8Compute: return 3
        }
    }

    /// Bytes per weight.
    package var size: Int {
        switch self {
        case .float32: return 4
        case .float16: return 2
        case .int8, .int8Compute: return 1
        }
    }
}

/// A linear layer's (N, K) weight rearranged once, at load, into the panel layout of lmcore's own
/// GEMM kernels (Sources/CKernels/include/lmkernels.h), so a product streams each weight once with
/// no per-call packing.
///
/// Shapes: x (M, K) row-major, y (M, N); the same contract as `MatMul.linear`.
package final class PackedMatrix: Sendable {
    package let type: PackedType
    package let outFeatures: Int
    package let inFeatures: Int
    /// The panels (raw bytes of `type`, in a 64-byte-aligned buffer).
    private let panels: FloatBuffer
    /// The last, partial panel when the matrix was packed in place (else it follows the others).
    private let tail: FloatBuffer?
    /// int8: one scale per output feature.
    private let scales: FloatBuffer?
    /// int8Compute: each output feature's sum of int8 weights (Int32 bit patterns).
    private let sums: FloatBuffer?

    private static var panel: Int { Int(LMK_PANEL) }

    /// Packs `weight` (N, K) as `type` into new buffers, or returns nil when this CPU has no packed
    /// kernel (then callers keep the plain weight and OpenBLAS).
    package convenience init?(weight: UnsafePointer<Float>, outFeatures n: Int, inFeatures k: Int,
                              type requested: PackedType = .float32) {
        guard Kernels.packed, n > 0, k > 0 else { return nil }
        self.init(type: Self.resolved(requested, inFeatures: k), outFeatures: n, inFeatures: k) { type, out, scales, sums, p0, p1 in
            switch type {
            case .float32:
                lmk_pack(weight, Int64(n), Int64(k), out.assumingMemoryBound(to: Float.self), p0, p1)
            case .float16:
                lmk_pack_f16(weight, Int64(n), Int64(k), out.assumingMemoryBound(to: UInt16.self), p0, p1)
            case .int8:
                lmk_pack_i8(weight, Int64(n), Int64(k), out.assumingMemoryBound(to: Int8.self), scales, p0, p1)
            case .int8Compute:
                lmk_pack_i8q(weight, Int64(n), Int64(k), out.assumingMemoryBound(to: Int8.self), scales, sums, p0, p1)
            }
        }
    }

    /// Packs int8 rows `values` (N, K) row-major with their per-row `scales` (N), as
    /// `lmk_quantize_i8_rows` makes them (a checkpoint written by `lmcore-cli convert --quantize
    /// int8`), as `type` (`.int8`, or `.int8Compute` where this CPU has the integer products): the same
    /// bytes as packing the float original, with no quantization at load. nil when this CPU has no
    /// packed kernel or `type` is not an int8 type (callers then dequantize and pack floats).
    package convenience init?(int8Rows values: UnsafePointer<Int8>, scales rowScales: UnsafePointer<Float>,
                              outFeatures n: Int, inFeatures k: Int, type requested: PackedType) {
        guard Kernels.packed, n > 0, k > 0, requested == .int8 || requested == .int8Compute else { return nil }
        self.init(type: Self.resolved(requested, inFeatures: k), outFeatures: n, inFeatures: k) { type, out, scales, sums, p0, p1 in
            guard let scales else { return }
            for row in Int(p0) * Self.panel..<min(n, Int(p1) * Self.panel) { scales[row] = rowScales[row] }
            if type == .int8Compute {
                lmk_pack_i8q_rows(values, Int64(n), Int64(k), out.assumingMemoryBound(to: Int8.self), sums, p0, p1)
            } else {
                lmk_pack_i8_rows(values, Int64(n), Int64(k), out.assumingMemoryBound(to: Int8.self), p0, p1)
            }
        }
    }

    /// The type a request runs as here: int8Compute only where the integer products run (and K <=
    /// 65536, so the int32 sums cannot overflow), else int8.
    private static func resolved(_ requested: PackedType, inFeatures k: Int) -> PackedType {
        requested == .int8Compute && !(Kernels.integerProducts && k <= 65536) ? .int8 : requested
    }

    /// New panels (with scales and sums for the int8 types), filled panel range by panel range across
    /// the kernels' threads by `pack(type, panels, scales, sums, p0, p1)`.
    private init(type: PackedType, outFeatures n: Int, inFeatures k: Int,
                 pack: (PackedType, UnsafeMutableRawPointer, UnsafeMutablePointer<Float>?,
                        UnsafeMutablePointer<Int32>?, Int64, Int64) -> Void) {
        self.type = type
        outFeatures = n
        inFeatures = k
        let panelCount = (n + Self.panel - 1) / Self.panel
        let depth = type == .int8Compute ? Int(lmk_i8q_groups(Int64(k))) * 4 : k
        let bytes = panelCount * Self.panel * depth * type.size
        panels = FloatBuffer(count: (bytes + 3) / 4, zeroed: false)
        FloatBuffer.adviseHugePages(UnsafeMutableRawPointer(panels.pointer), byteCount: bytes)
        tail = nil
        scales = type == .int8 || type == .int8Compute ? FloatBuffer(count: n) : nil
        sums = type == .int8Compute ? FloatBuffer(count: n) : nil
        let raw = UnsafeMutableRawPointer(panels.pointer), scalePointer = scales?.pointer
        let sumPointer = sums.map { UnsafeMutableRawPointer($0.pointer).assumingMemoryBound(to: Int32.self) }
        Parallel.chunks(panelCount, threads: Kernels.threads, minimumPerThread: 64) { range in
            pack(type, raw, scalePointer, sumPointer, Int64(range.lowerBound), Int64(range.upperBound))
        }
    }

    /// Quantizes w (N, K) row-major to int8 rows `values` (N, K) and per-row `scales` (N) exactly as
    /// packing as `.int8` does (what `init(int8Rows:...)` reads back).
    package static func quantizeRows(_ w: UnsafePointer<Float>, outFeatures n: Int, inFeatures k: Int,
                                     into values: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>) {
        lmk_quantize_i8_rows(w, Int64(n), Int64(k), values, scales)
    }

    /// Packs `buffer`, an (N, K) float32 weight, where it lies (see lmk_pack_in_place): for a table
    /// too large to hold twice even briefly (the lm head). The buffer's plain contents are gone
    /// afterwards, so the caller must own it alone or replace every other use by this matrix. nil
    /// (and `buffer` untouched) when this CPU has no packed kernel.
    package init?(packingInPlace buffer: FloatBuffer, outFeatures n: Int, inFeatures k: Int) {
        guard Kernels.packed, n > 0, k > 0, buffer.count == n * k else { return nil }
        type = .float32
        outFeatures = n
        inFeatures = k
        panels = buffer
        scales = nil
        sums = nil
        let tailBuffer = n % Self.panel == 0 ? nil : FloatBuffer(count: Self.panel * k, zeroed: false)
        tail = tailBuffer
        let scratch = FloatBuffer(count: Self.panel * k, zeroed: false)
        lmk_pack_in_place(buffer.pointer, Int64(n), Int64(k), tailBuffer?.pointer, scratch.pointer)
    }

    /// y(M, N) = x(M, K) · Wᵀ (+ bias(N)); `y` is overwritten. Panels are split across threads.
    package func linear(_ x: UnsafePointer<Float>, rows m: Int, bias: UnsafePointer<Float>?,
                        into y: UnsafeMutablePointer<Float>) {
        guard m > 0 else { return }
        let n = outFeatures, k = inFeatures
        let panelCount = (n + Self.panel - 1) / Self.panel
        // A thread is worth waking for about 128K multiply-adds (a few microseconds).
        let perPanel = m * k * Self.panel
        let minimum = Swift.max(1, (1 << 17) / Swift.max(1, perPanel))
        let packed = UnsafeRawPointer(panels.pointer), tail = self.tail.map { UnsafeRawPointer($0.pointer) }
        let scales = self.scales.map { UnsafePointer($0.pointer) }
        let type = self.type
        if type == .int8Compute {
            integerLinear(x, rows: m, bias: bias, into: y, minimumPanelsPerThread: minimum)
            return
        }
        let wide = Kernels.avx512
        Kernels.chunks(panelCount, threads: Kernels.threads, minimumPerThread: minimum) { range in
            let p0 = Int64(range.lowerBound), p1 = Int64(range.upperBound)
            switch type {
            case .float32:
                let kernel = wide ? lmk_gemm_packed_avx512 : lmk_gemm_packed_avx2
                kernel(x, Int64(k), Int64(m), Int64(k), packed.assumingMemoryBound(to: Float.self),
                       tail?.assumingMemoryBound(to: Float.self), Int64(n), bias, y, Int64(n), p0, p1)
            case .float16:
                let kernel = wide ? lmk_gemm_packed_f16_avx512 : lmk_gemm_packed_f16_avx2
                kernel(x, Int64(k), Int64(m), Int64(k), packed.assumingMemoryBound(to: UInt16.self),
                       tail?.assumingMemoryBound(to: UInt16.self), Int64(n), bias, y, Int64(n), p0, p1)
            case .int8:
                let kernel = wide ? lmk_gemm_packed_i8_avx512 : lmk_gemm_packed_i8_avx2
                kernel(x, Int64(k), Int64(m), Int64(k), packed.assumingMemoryBound(to: Int8.self),
                       tail?.assumingMemoryBound(to: Int8.self), scales, Int64(n), bias, y, Int64(n), p0, p1)
            case .int8Compute:
                break  // integerLinear
            }
        }
    }

    /// int8Compute: quantizes x's rows once (u8 = q + 128, one scale per row), then the panels run
    /// vpdpbusd products split across threads.
    private func integerLinear(_ x: UnsafePointer<Float>, rows m: Int, bias: UnsafePointer<Float>?,
                               into y: UnsafeMutablePointer<Float>, minimumPanelsPerThread minimum: Int) {
        let n = outFeatures, k = inFeatures
        let width = Int(lmk_i8q_groups(Int64(k))) * 4
        let quantized = UnsafeMutablePointer<UInt8>.allocate(capacity: m * width)
        let rowScales = UnsafeMutablePointer<Float>.allocate(capacity: m)
        defer {
            quantized.deallocate()
            rowScales.deallocate()
        }
        lmk_quantize_rows_u8(x, Int64(k), Int64(m), Int64(k), quantized, rowScales)
        let packed = UnsafeRawPointer(panels.pointer).assumingMemoryBound(to: Int8.self)
        let scales = self.scales.map { UnsafePointer($0.pointer) }
        let sums = self.sums.map { UnsafeRawPointer($0.pointer).assumingMemoryBound(to: Int32.self) }
        let panelCount = (n + Self.panel - 1) / Self.panel
        Kernels.chunks(panelCount, threads: Kernels.threads, minimumPerThread: minimum) { range in
            lmk_gemm_i8q_vnni(quantized, rowScales, Int64(m), Int64(k), packed, scales, sums, Int64(n), bias, y,
                              Int64(n), Int64(range.lowerBound), Int64(range.upperBound))
        }
    }

    /// Row `row` (< N) of W, dequantized, times `factor`, into out (K floats).
    private func row(_ row: Int, factor: Float, into out: UnsafeMutablePointer<Float>) {
        if type == .int8Compute, let scales {
            lmk_i8q_row(UnsafeRawPointer(panels.pointer).assumingMemoryBound(to: Int8.self), scales.pointer,
                        Int64(inFeatures), Int64(row), factor, out)
            return
        }
        lmk_packed_row(type.code, panels.pointer, tail?.pointer, scales?.pointer, Int64(outFeatures),
                       Int64(inFeatures), Int64(row), factor, out)
    }

    /// Writes the weight back in its (N, K) row-major layout, dequantized (fusing packed layers, tests).
    package func unpack(into w: UnsafeMutablePointer<Float>) {
        for r in 0..<outFeatures { row(r, factor: 1, into: w + r * inFeatures) }
    }

    /// out(i, K) = scale · W[ids[i]]: the rows of a packed token table that is also the lm head
    /// (tied embeddings keep one copy, the packed one). Ids must have been validated (< N).
    package func gatherRows(_ ids: UnsafeBufferPointer<Int32>, scale: Float, into out: UnsafeMutablePointer<Float>) {
        for (i, id) in ids.enumerated() { row(Int(id), factor: scale, into: out + i * inFeatures) }
    }

    /// Bytes held (panels, tail, scales).
    package var storedBytes: Int { 4 * (panels.count + (tail?.count ?? 0) + (scales?.count ?? 0) + (sums?.count ?? 0)) }
}

/// One `Kernels.chunks` call as the pool's C task sees it (through an unretained pointer, valid
/// for the call: lmk_pool_run returns only after every piece has run).
private final class PoolWork {
    let body: (Range<Int>) -> Void
    let per: Int
    let count: Int
    init(body: @escaping (Range<Int>) -> Void, per: Int, count: Int) {
        self.body = body
        self.per = per
        self.count = count
    }
}

/// Which of lmcore's own kernels run on this CPU, chosen once from cpuid.
package enum Kernels {
    /// The CPU features cpuid reports (LMK_CPU_* bits).
    package static let cpuFeatures: UInt32 = lmk_cpu_features()

    /// Which packed kernels run: LMCORE_PACKED_GEMM=0 sends every product to OpenBLAS (reduced
    /// compute types then load as float32) and =avx2 keeps the AVX2 kernels on an AVX-512 CPU (no
    /// AVX-512 float kernels, no integer products), both for A/B runs; otherwise the widest the
    /// CPU has.
    private static let setting: String = getenv("LMCORE_PACKED_GEMM").map { String(cString: $0) } ?? ""

    /// Whether the packed GEMMs run here: AVX2 + FMA + F16C, unless LMCORE_PACKED_GEMM=0.
    package static let packed: Bool = setting != "0" && cpuFeatures & UInt32(LMK_CPU_AVX2_FMA) != 0

    /// Whether the AVX-512F float kernels (12-row tiles of 16-wide ZMM panels) can run here.
    package static let avx512Available: Bool =
        packed && setting != "avx2" && cpuFeatures & UInt32(LMK_CPU_AVX512F) != 0

    /// Whether the float kernels are the AVX-512F ones: where available, unless set to false (tests
    /// run both kernels on an AVX-512 CPU). Setting true where unavailable has no effect.
    package static var avx512: Bool {
        get { wideSetting.load(ordering: .relaxed) }
        set { wideSetting.store(newValue && avx512Available, ordering: .relaxed) }
    }
    private static let wideSetting = Atomic<Bool>(avx512Available)

    /// Whether the int8 integer products (`PackedType.int8Compute`) run here: AVX-512 F, BW, VL and
    /// VNNI.
    package static let integerProducts: Bool = avx512Available && cpuFeatures & UInt32(LMK_CPU_AVX512_VNNI) != 0

    /// Threads the packed kernels split a product over; the model's thread setting (process-wide,
    /// as OpenBLAS's is).
    package static var threads: Int {
        get { threadSetting.load(ordering: .relaxed) }
        set { threadSetting.store(Swift.max(1, newValue), ordering: .relaxed) }
    }
    private static let threadSetting = Atomic<Int>(1)

    /// Runs `body(range)` over `0..<count` in contiguous pieces on `threads` threads of the kernels'
    /// own pool (CKernels/thread_pool.c: workers that spin briefly for the next product instead of
    /// sleeping in the kernel between the 60-odd products of a decoding step), as `Parallel.chunks`
    /// does with libdispatch, which serves a call while the pool is busy with another thread's.
    /// Four pieces per thread, handed out one at a time, so a late worker does not hold a product.
    package static func chunks(_ count: Int, threads: Int, minimumPerThread: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let workers = Parallel.workers(count, threads: threads, minimumPerThread: minimumPerThread)
        if workers == 1 {
            body(0..<count)
            return
        }
        let per = (count + workers * 4 - 1) / (workers * 4)
        let pieces = (count + per - 1) / per
        withoutActuallyEscaping(body) { body in
            let work = PoolWork(body: body, per: per, count: count)
            let status = withExtendedLifetime(work) {
                lmk_pool_run(Int32(workers), { context, index in
                    guard let context else { return }
                    let work = Unmanaged<PoolWork>.fromOpaque(context).takeUnretainedValue()
                    let start = Int(index) * work.per
                    work.body(start..<Swift.min(work.count, start + work.per))
                }, Unmanaged.passUnretained(work).toOpaque(), Int64(pieces))
            }
            if status != 0 { Parallel.chunks(count, threads: threads, minimumPerThread: minimumPerThread, body) }
        }
    }

    /// Returns freed heap memory to the operating system (glibc's malloc_trim; nothing elsewhere).
    package static func releaseFreedMemory() { lmk_release_free_memory() }

    /// What runs, for `inspect` and `bench`.
    package static var description: String {
        let features = cpuFeatureNames.isEmpty ? "none" : cpuFeatureNames.joined(separator: " ")
        let integer = integerProducts ? ", int8 products AVX-512 VNNI" : ""
        let float = avx512Available ? "AVX-512F" : "AVX2+FMA+F16C"
        return packed ? "packed GEMM kernels \(float)\(integer) (CPU features: \(features))"
            : "OpenBLAS only (packed kernels off: CPU features \(features))"
    }

    /// The CPU's features by name.
    package static var cpuFeatureNames: [String] {
        let names: [(UInt32, String)] = [
            (UInt32(LMK_CPU_AVX2_FMA), "avx2+fma+f16c"), (UInt32(LMK_CPU_AVX512F), "avx512f"),
            (UInt32(LMK_CPU_AVX512_VNNI), "avx512_vnni"), (UInt32(LMK_CPU_AVX512_BF16), "avx512_bf16"),
            (UInt32(LMK_CPU_AVX_VNNI), "avx_vnni"), (UInt32(LMK_CPU_AMX), "amx"),
        ]
        return names.filter { cpuFeatures & $0.0 != 0 }.map(\.1)
    }
}
