import ArgumentParser

/// `ddk bench`: measurements of this machine and the project's components, each printing
/// one JSON object with `--json`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the project's components on this machine.",
        subcommands: [
            BenchTokenizerCommand.self,
            BenchEngineCommand.self,
        ])
}
