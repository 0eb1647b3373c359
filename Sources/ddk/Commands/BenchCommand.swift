import ArgumentParser

/// `ddk bench`: the benchmarks, each printing one JSON object with `--json`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the speed of a component.",
        subcommands: [
            BenchTokenizerCommand.self,
            BenchTeacherCommand.self,
        ])
}
