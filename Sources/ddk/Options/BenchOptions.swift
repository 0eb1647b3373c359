import ArgumentParser
import Engine

/// `--threads`: OpenBLAS threads of a benchmark.
struct ThreadsOption: ParsableArguments {
    @Option(name: .long, help: "OpenBLAS threads.")
    var threads = 1

    func apply() { BLASThreads.set(threads) }
}

/// `--batch` and `--sequence` of a benchmark of the reference student's step.
struct StudentBatchOptions: ParsableArguments {
    @Option(name: .long, help: "Batch size B.")
    var batch = 8

    @Option(name: .long, help: "Sequence length T.")
    var sequence = 256
}
