// swift-tools-version:6.0
//
// SwiftDDK: distributed distillation of language models over MPI.
//
// Dependencies point one way:
//   CMPI, COpenBLAS        system-library shims (pkg-config ompi-c, openblas)
//   MPI                    typed Swift wrapper over CMPI; only Runtime and ddk import it
//   MappedFiles            read-only memory-mapped files (no dependencies)
//   GGUF, Tokenizer,       file formats, the tokenizer, the numerical engine, the data
//   Engine, DataPipeline,  pipeline and the distillation losses: none of them knows
//   Distillation           that MPI exists
//   LanguageModels         a GGUF file or checkpoint folder opened as a model (ModelSource),
//                          GGUF loading, perplexity and generation
//   TrainingCore           the MPI-free core: config, DDK rules, batch plan, trainer (gradient
//                          sums through a protocol), checkpoints, metrics, evaluation
//   Runtime                what crosses ranks: roles, communicators, the teacher pool, gradient
//                          sync over MPI, deadlines, the job
//   Plots                  SVG charts (axes, lines, stacked areas, bars with error bars); Foundation only
//   ddk                    the command-line tool, the only place that decides to exit
import PackageDescription

let releaseSpeed: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
]

var targets: [Target] = [
    // MARK: C shims
    .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                   providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
    .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                   providers: [.apt(["libopenblas-dev"])]),

    // MARK: MPI
    .target(name: "MPI", dependencies: ["CMPI"], path: "Sources/MPI"),
    .testTarget(name: "MPITests", dependencies: ["MPI"], path: "Tests/MPITests"),
    .executableTarget(name: "mpi-checks", dependencies: ["MPI"], path: "Tests/MPIChecks", exclude: ["mpi-checks.sh"]),

    // MARK: Memory-mapped files (GGUF, safetensors and token shards read through one type)
    .target(name: "MappedFiles", path: "Sources/MappedFiles"),

    // MARK: GGUF and Tokenizer
    .target(name: "GGUF", dependencies: ["MappedFiles"], path: "Sources/GGUF", swiftSettings: releaseSpeed),
    .target(name: "Tokenizer", dependencies: ["GGUF"], path: "Sources/Tokenizer", swiftSettings: releaseSpeed),
    .testTarget(name: "GGUFTests", dependencies: ["GGUF"], path: "Tests/GGUFTests", exclude: ["Reference"]),
    .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer", "GGUF"], path: "Tests/TokenizerTests",
                exclude: ["Reference"]),

    // MARK: Engine
    .target(name: "Engine", dependencies: ["COpenBLAS", "MappedFiles"], path: "Sources/Engine", exclude: ["README.md"],
            swiftSettings: releaseSpeed),
    .testTarget(name: "EngineTests", dependencies: ["Engine"], path: "Tests/EngineTests"),

    // MARK: LanguageModels (one way to open a model: GGUF file or checkpoint folder; perplexity, generation)
    .target(name: "LanguageModels", dependencies: ["Engine", "GGUF", "Tokenizer"], path: "Sources/LanguageModels",
            exclude: ["README.md"], swiftSettings: releaseSpeed),
    .testTarget(name: "LanguageModelsTests", dependencies: ["LanguageModels", "Engine", "GGUF", "Tokenizer"],
                path: "Tests/LanguageModelsTests", exclude: ["Reference"]),

    // MARK: DataPipeline
    .target(
        name: "DataPipeline",
        dependencies: ["MappedFiles", .product(name: "TOMLKit", package: "TOMLKit")],
        path: "Sources/DataPipeline",
        exclude: ["README.md"],
        swiftSettings: releaseSpeed),
    .testTarget(
        name: "DataPipelineTests",
        dependencies: ["DataPipeline", "Tokenizer"],
        path: "Tests/DataPipelineTests"),

    // MARK: Distillation
    .target(name: "Distillation", dependencies: ["COpenBLAS", "Engine"], path: "Sources/Distillation",
            exclude: ["README.md"], swiftSettings: releaseSpeed),
    .testTarget(name: "DistillationTests", dependencies: ["Distillation", "Engine"], path: "Tests/DistillationTests"),

    // MARK: TrainingCore (MPI-free: config, DDK rules, batch plan, trainer, checkpoints, metrics, evaluation)
    .target(name: "TrainingCore",
            dependencies: ["Engine", "LanguageModels", "Distillation", "DataPipeline", "Tokenizer", "MappedFiles",
                           .product(name: "TOMLKit", package: "TOMLKit")],
            path: "Sources/TrainingCore",
            exclude: ["README.md"],
            swiftSettings: releaseSpeed),
    .testTarget(name: "TrainingCoreTests",
                dependencies: ["TrainingCore", "Engine", "LanguageModels", "Distillation", "DataPipeline", "Tokenizer"],
                path: "Tests/TrainingCoreTests"),

    // MARK: Runtime (what crosses ranks: roles, communicators, the teacher pool, gradient sync, deadlines, the job)
    .target(name: "Runtime",
            dependencies: ["MPI", "TrainingCore", "Engine", "LanguageModels", "Distillation", "DataPipeline"],
            path: "Sources/Runtime",
            exclude: ["README.md"],
            swiftSettings: releaseSpeed),
    .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "TrainingCore", "Distillation"],
                path: "Tests/RuntimeTests"),

    // MARK: Plots (SVG charts for `ddk report --plot`; Foundation only)
    .target(name: "Plots", path: "Sources/Plots", exclude: ["README.md"]),
    .testTarget(name: "PlotsTests", dependencies: ["Plots"], path: "Tests/PlotsTests"),

    // MARK: Command-line tool
    .executableTarget(
        name: "ddk",
        dependencies: [
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            // MARK: ddk dependencies
            "MPI",
            "Runtime",
            "TrainingCore",
            "Distillation",
            "Engine",
            "LanguageModels",
            "Tokenizer",
            "DataPipeline",
            "Plots",
        ],
        path: "Sources/ddk",
        swiftSettings: releaseSpeed),
    .testTarget(name: "DDKCommandTests", dependencies: ["ddk", "TrainingCore"], path: "Tests/DDKCommandTests"),

    // MARK: Fuzz targets (one per input format; Tests/Fuzz/fuzz.sh builds them with libFuzzer, and the
    // ordinary build replays saved inputs: README, "Fuzzing"). MPI-free like the core.
    .executableTarget(name: "ddk-fuzz",
                      dependencies: ["GGUF", "MappedFiles", "Tokenizer", "LanguageModels", "Engine", "DataPipeline",
                                     "Distillation", "TrainingCore"],
                      path: "Tests/Fuzz/Targets",
                      swiftSettings: [.enableExperimentalFeature("Extern")]),  // @_extern(c): libFuzzer's driver
]

let package = Package(
    name: "SwiftDDK",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ddk", targets: ["ddk"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),  // Runtime config, DataPipeline manifests
    ],
    targets: targets,
    swiftLanguageModes: [.v5]
)
