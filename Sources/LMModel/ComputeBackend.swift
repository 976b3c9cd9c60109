import LMTensor

/// The numeric backend as the layers above LMModel see it (they do not import LMTensor).
package enum ComputeBackend {
    /// Threads of OpenBLAS and of lmcore's packed kernels (process-wide).
    package static var blasThreads: Int {
        get { Kernels.threads }
        set {
            BLAS.threads = newValue
            Kernels.threads = newValue
        }
    }

    /// Returns memory freed during a load to the operating system (glibc's malloc_trim).
    package static func releaseFreedMemory() {
        Kernels.releaseFreedMemory()
    }

    /// Whether lmcore's packed kernels run on this CPU (else every product goes to OpenBLAS and
    /// reduced compute types load as float32).
    package static var packedKernels: Bool { Kernels.packed }

    /// Whether the int8 integer products run here (AVX-512 VNNI; else int8 loads as int8_float32).
    package static var integerProducts: Bool { Kernels.integerProducts }

    /// Which kernels run and why ("OpenBLAS (SkylakeX kernels; ...); packed float32 GEMM, AVX2+FMA (decoder)").
    package static var description: String { BLAS.status + "; " + Kernels.description }
}
