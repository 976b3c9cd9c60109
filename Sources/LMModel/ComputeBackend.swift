import LMTensor

/// The numeric backend as the layers above LMModel see it (they do not import LMTensor).
public enum ComputeBackend {
    /// OpenBLAS's thread count (process-wide).
    public static var blasThreads: Int {
        get { BLAS.threads }
        set { BLAS.threads = newValue }
    }

    /// Which BLAS kernels run and why ("OpenBLAS (SkylakeX kernels; ...)").
    public static var description: String { BLAS.status }
}
