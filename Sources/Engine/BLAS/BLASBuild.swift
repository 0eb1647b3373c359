import COpenBLAS

/// Which OpenBLAS runs the matrix products. A DYNAMIC_ARCH build picks its sgemm kernel
/// from the CPU at start-up (or from OPENBLAS_CORETYPE), and kernels block and sum in
/// different orders: runs are bit-identical only on the same kernel, so the run record
/// names it.
public enum BLASBuild {
    /// The build options, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64".
    public static var configuration: String { String(cString: openblas_get_config()) }
    /// The kernel family in use, e.g. "SkylakeX" or "Haswell".
    public static var kernel: String { String(cString: openblas_get_corename()) }
}
