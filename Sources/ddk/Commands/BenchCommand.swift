import ArgumentParser

/// `ddk bench`: measurements of this machine and the project's components.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the project's components on this machine.",
        subcommands: [
            BenchEngineCommand.self,
            BenchLossesCommand.self,
            BenchTopKCommand.self,
            BenchTokenizerCommand.self,
            BenchTeacherCommand.self,
            BenchDistillCommand.self,
            BenchCaptureCommand.self,
        ])
}
