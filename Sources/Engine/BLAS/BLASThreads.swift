import COpenBLAS

/// OpenBLAS's thread pool size. OpenBLAS starts with OPENBLAS_NUM_THREADS (or
/// the core count); under MPI set one thread per rank.
public enum BLASThreads {
    /// Number of threads OpenBLAS uses for one call.
    public static var count: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of OpenBLAS threads (clamped to at least 1).
    public static func set(_ count: Int) { openblas_set_num_threads(Int32(max(1, count))) }
}
