import Engine

extension DDK {
    /// The version recorded in run metadata.
    static let version = "0.1.0"

    /// What a run record names as its software: SwiftDDK's version and the OpenBLAS build
    /// and sgemm kernel (runs are bit-identical only on the same kernel: README, "The main job").
    static var runVersions: [String: String] {
        ["swiftddk": version, "openblas": BLASBuild.configuration, "openblas_kernel": BLASBuild.kernel]
    }
}
