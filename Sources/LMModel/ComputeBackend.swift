import LMTensor

/// The numeric backend as the layers above LMModel see it (they do not import LMTensor).
package enum ComputeBackend {
    /// OpenBLAS's thread count (process-wide).
    package static var blasThreads: Int {
        get { BLAS.threads }
        set { BLAS.threads = newValue }
    }

    /// Which BLAS kernels run and why ("OpenBLAS (SkylakeX kernels; ...)").
    package static var description: String { BLAS.status }
}
