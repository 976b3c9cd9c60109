#if canImport(Glibc)
import Glibc
#endif
import COpenBLAS

/// The only door to OpenBLAS. Everything above speaks row-major float32 pointers with explicit
/// leading dimensions; this file turns them into CBLAS calls.
///
/// OpenBLAS is opened with dlopen on first use rather than linked: a DYNAMIC_ARCH OpenBLAS picks
/// its kernels in a constructor that runs when the library loads, from the CPU id or the
/// OPENBLAS_CORETYPE environment variable. 0.3.21 (Debian 12) does not know recent CPUs and falls
/// back to 20-year-old SSE3 ("Prescott") kernels, 3-4x slower. Loading it ourselves lets us set
/// OPENBLAS_CORETYPE from the CPU's real features first (see `OpenBLASCore.choice`); a user's own
/// OPENBLAS_CORETYPE always wins. If the library cannot be opened, portable Swift loops take
/// over (correct, slow) and `BLAS.status` says why.
///
/// The same applies to OPENBLAS_THREAD_TIMEOUT: OpenBLAS's worker threads spin (sched_yield) for
/// 2^28 cycles, about 0.1 s, after each GEMM before they sleep, so they compete for the cores
/// with lmcore's own threads (attention, beam candidate selection) between GEMMs. lmcore asks for
/// 2^20 (about 0.4 ms, longer than the gaps inside a layer): beam search ran 2-6% faster and its
/// bookkeeping share fell from 4-7% to 3-4% on the bench models (bench/README.md).
package enum BLAS {
    /// C(M, N) = alpha · A(M, K) · B(N, K)ᵀ + beta · C — the shape of every linear layer
    /// (PyTorch stores weights as (out, in)). M = 1 goes through gemv: OpenBLAS 0.3.21's sgemm
    /// is 3–5× slower than sgemv for a single row.
    @inlinable
    package static func gemmTransposedB(
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 1 {
            // y(N) = B(N, K) · x(K)
            gemv(m: n, n: k, alpha: alpha, a: b, lda: ldb, x: a, beta: beta, y: c)
        } else {
            Library.shared.sgemm(Row, NoTrans, Trans, Int32(m), Int32(n), Int32(k),
                                 alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        }
    }

    /// C(M, N) = alpha · A(M, K) · B(K, N) + beta · C.
    @inlinable
    package static func gemm(
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 1 {
            // y(N) = B(K, N)ᵀ · x(K)
            gemvTransposed(m: k, n: n, alpha: alpha, a: b, lda: ldb, x: a, beta: beta, y: c)
        } else {
            Library.shared.sgemm(Row, NoTrans, NoTrans, Int32(m), Int32(n), Int32(k),
                                 alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        }
    }

    /// y(M) = alpha · A(M, N) · x(N) + beta · y, A row-major with leading dimension lda.
    @inlinable
    package static func gemv(
        m: Int, n: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float = 0,
        y: UnsafeMutablePointer<Float>
    ) {
        Library.shared.sgemv(Row, NoTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    /// y(N) = alpha · A(M, N)ᵀ · x(M) + beta · y.
    @inlinable
    package static func gemvTransposed(
        m: Int, n: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float = 0,
        y: UnsafeMutablePointer<Float>
    ) {
        Library.shared.sgemv(Row, Trans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    /// The number of threads OpenBLAS uses for one call (process-wide).
    package static var threads: Int {
        get { Int(Library.shared.getThreads()) }
        set { Library.shared.setThreads(Int32(max(1, newValue))) }
    }

    /// The kernel family OpenBLAS runs ("Haswell", "SkylakeX", ...), or "portable Swift".
    package static var coreName: String { Library.shared.coreName }

    /// How OpenBLAS was loaded and which kernels it uses, for `inspect` and diagnostics.
    package static var status: String { Library.shared.status }

    @usableFromInline static let Row = LMCORE_CBLAS_ROW_MAJOR
    @usableFromInline static let NoTrans = LMCORE_CBLAS_NO_TRANS
    @usableFromInline static let Trans = LMCORE_CBLAS_TRANS
}

/// OpenBLAS's entry points, resolved once.
@usableFromInline
final class Library: @unchecked Sendable {
    @usableFromInline typealias Sgemm = lmcore_cblas_sgemm_fn
    @usableFromInline typealias Sgemv = lmcore_cblas_sgemv_fn
    typealias SetThreads = lmcore_openblas_set_num_threads_fn
    typealias GetThreads = lmcore_openblas_get_num_threads_fn
    typealias GetName = lmcore_openblas_get_corename_fn

    @usableFromInline let sgemm: Sgemm
    @usableFromInline let sgemv: Sgemv
    let setThreads: SetThreads
    let getThreads: GetThreads
    let coreName: String
    let status: String

    @usableFromInline static let shared = Library()

    /// log2 of the cycles an idle OpenBLAS worker spins before it sleeps (OpenBLAS's default is 28).
    static let threadTimeout = "20"

    private init() {
        let names = ["libopenblas.so.0", "libopenblas.so"]
        let requested = OpenBLASCore.choice()
        let previous = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        if previous == nil, let requested { setenv("OPENBLAS_CORETYPE", requested, 1) }
        let userTimeout = getenv("OPENBLAS_THREAD_TIMEOUT") != nil
        if !userTimeout { setenv("OPENBLAS_THREAD_TIMEOUT", Library.threadTimeout, 1) }
        var handle: UnsafeMutableRawPointer?
        for name in names where handle == nil {
            handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL)
        }
        if previous == nil, requested != nil { unsetenv("OPENBLAS_CORETYPE") }
        if !userTimeout { unsetenv("OPENBLAS_THREAD_TIMEOUT") }

        func symbol<T>(_ name: String, as: T.Type) -> T? {
            guard let handle, let p = dlsym(handle, name) else { return nil }
            return unsafeBitCast(p, to: T.self)
        }
        if let sgemm = symbol("cblas_sgemm", as: Sgemm.self), let sgemv = symbol("cblas_sgemv", as: Sgemv.self),
           let setThreads = symbol("openblas_set_num_threads", as: SetThreads.self),
           let getThreads = symbol("openblas_get_num_threads", as: GetThreads.self) {
            self.sgemm = sgemm
            self.sgemv = sgemv
            self.setThreads = setThreads
            self.getThreads = getThreads
            let name = symbol("openblas_get_corename", as: GetName.self)?().map { String(cString: $0) } ?? "unknown"
            coreName = name
            let why = previous.map { "OPENBLAS_CORETYPE=\($0) (from the environment)" }
                ?? requested.map { "OPENBLAS_CORETYPE=\($0) (chosen from the CPU's features)" }
                ?? "OpenBLAS's own CPU detection"
            let timeout = userTimeout
                ? "OPENBLAS_THREAD_TIMEOUT from the environment" : "OPENBLAS_THREAD_TIMEOUT=\(Library.threadTimeout)"
            status = "OpenBLAS (\(name) kernels; \(why); \(timeout))"
        } else {
            let reason = dlerror().map { String(cString: $0) } ?? "cblas_sgemm not found"
            sgemm = Portable.sgemm
            sgemv = Portable.sgemv
            setThreads = { _ in }
            getThreads = { 1 }
            coreName = "portable Swift"
            status = "portable Swift loops (OpenBLAS not loaded: \(reason)); install libopenblas0 for speed"
            Log.message(.warning, "OpenBLAS could not be loaded (\(reason)): products run on portable Swift loops, "
                + "many times slower; install libopenblas0 (Debian: apt-get install libopenblas0)")
        }
    }
}

/// Which OpenBLAS kernels suit this CPU, from /proc/cpuinfo's flags: SkylakeX (AVX-512) kernels
/// where the AVX-512 subsets they use exist, Haswell (AVX2 + FMA) otherwise, nil (let OpenBLAS
/// decide) on anything older or unreadable.
enum OpenBLASCore {
    static func choice() -> String? {
        guard let flags = cpuFlags() else { return nil }
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains) {
            return "SkylakeX"
        }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }

    static func cpuFlags() -> Set<Substring>? {
        guard let file = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { break }
            let text = String(cString: line)
            if text.hasPrefix("flags") {
                guard let colon = text.firstIndex(of: ":") else { return nil }
                return Set(text[text.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\n" }))
            }
        }
        return nil
    }
}

/// Reference loops used only when OpenBLAS cannot be loaded (same results up to rounding).
enum Portable {
    static let sgemm: Library.Sgemm = { _, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
        guard let a, let b, let c else { return }
        for i in 0..<Int(m) {
            for j in 0..<Int(n) {
                var s: Float = 0
                for p in 0..<Int(k) {
                    let av = transA == LMCORE_CBLAS_TRANS ? a[p * Int(lda) + i] : a[i * Int(lda) + p]
                    let bv = transB == LMCORE_CBLAS_TRANS ? b[j * Int(ldb) + p] : b[p * Int(ldb) + j]
                    s += av * bv
                }
                let idx = i * Int(ldc) + j
                c[idx] = alpha * s + (beta == 0 ? 0 : beta * c[idx])
            }
        }
    }

    static let sgemv: Library.Sgemv = { _, trans, m, n, alpha, a, lda, x, _, beta, y, _ in
        guard let a, let x, let y else { return }
        let rows = trans == LMCORE_CBLAS_TRANS ? Int(n) : Int(m), inner = trans == LMCORE_CBLAS_TRANS ? Int(m) : Int(n)
        for i in 0..<rows {
            var s: Float = 0
            for p in 0..<inner {
                s += (trans == LMCORE_CBLAS_TRANS ? a[p * Int(lda) + i] : a[i * Int(lda) + p]) * x[p]
            }
            y[i] = alpha * s + (beta == 0 ? 0 : beta * y[i])
        }
    }
}

/// The portable fallback called directly (tests compare it with OpenBLAS).
package enum PortableBLAS {
    package static func gemmTransposedB(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                       b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        Portable.sgemm(LMCORE_CBLAS_ROW_MAJOR, LMCORE_CBLAS_NO_TRANS, LMCORE_CBLAS_TRANS, Int32(m), Int32(n),
                       Int32(k), 1, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
    }

    package static func gemv(m: Int, n: Int, a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
                            y: UnsafeMutablePointer<Float>) {
        Portable.sgemv(LMCORE_CBLAS_ROW_MAJOR, LMCORE_CBLAS_NO_TRANS, Int32(m), Int32(n), 1, a, Int32(lda), x, 1,
                       0, y, 1)
    }
}
