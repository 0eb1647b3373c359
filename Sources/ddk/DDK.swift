import ArgumentParser

/// `ddk`: the SwiftDDK command-line tool.
@main
struct DDK: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddk",
        abstract: "Distill a large language model into a smaller one across MPI ranks (DDK, DSKD).",
        subcommands: [
            // MARK: subcommands
            TokenizeCommand.self,
            PerplexityCommand.self,
            GenerateCommand.self,
            BenchCommand.self,
            PrepareCommand.self,
            DistillCommand.self,
            CaptureCommand.self,
            ReportCommand.self,
            EvalCommand.self,
            ExperimentCommand.self,
            InitModelCommand.self,
            InitStudentCommand.self,
            PlanCommand.self,
        ])
}
