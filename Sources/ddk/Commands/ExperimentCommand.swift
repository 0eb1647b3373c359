import ArgumentParser
import Foundation
import Plots
import TrainingCore

/// `ddk experiment --plan FILE`: every arm of a plan with every seed on one token budget,
/// each run evaluated on one held-out set, and the summary with its chart.
struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Run a plan's arms (ddk distill configs with overrides) with seeds on one token budget, and compare them on a held-out set.",
        discussion: """
        The plan (TOML; an example: launch/experiments/tiny.toml) names the base config, the \
        tokens per arm, the held-out sequences per domain, the launcher of each run (for \
        example ["mpirun", "-np", "4"]) and the arms ([[arm]]: name, seeds, set = overrides). \
        Runs go to runs/NAME/ARM/seed-S; a run already evaluated (result.json) is skipped and \
        an interrupted one resumes from its newest checkpoint, so the same command continues \
        an experiment; --finished summarizes the runs evaluated so far without running \
        anything. Writes runs/NAME/results.json, results.md and held-out.svg. With --json \
        prints the results object: experiment, perplexity_unit, held_out_sequences, \
        same_evaluation_sets, same_initialization, arms [{name, seeds, domains [{name, teacher_ppl, student_ppl_mean, \
        student_ppl_std}], mean_ppl, mean_ppl_std, worst_ratio, tokens, training_seconds_mean, \
        difference_from_first, exceeds_spread}].
        """)

    @Option(help: "The experiment plan (TOML).")
    var plan: String

    @Flag(help: "Summarize the runs evaluated so far (their result.json) without training or evaluating; arms with none are left out.")
    var finished = false

    @OptionGroup var output: JSONOutputOption

    func run() throws {
        do {
            let loaded = try ExperimentPlan.load(path: plan)
            let runner = ExperimentRunner(plan: loaded, planPath: plan, ddkPath: Self.ownPath(),
                                          note: { FileHandle.standardError.write(Data("experiment \($0)\n".utf8)) })
            let runs = try finished ? runner.finishedResults() : runner.run()
            let kept = zip(loaded.arm.map(\.name), runs).filter { !$0.1.isEmpty }
            guard !kept.isEmpty else { throw ExperimentError("no run of \(plan) has been evaluated yet (no result.json)") }
            let results = ExperimentResults(experiment: loaded.experiment.name, heldOutSequences: loaded.experiment.heldOutSequences,
                                            runs: kept.map(\.1), armNames: kept.map(\.0))
            try write(results, to: loaded.directory)
            if output.json { try printJSON(results) } else { print(results.markdown, terminator: "") }
        } catch {
            FileHandle.standardError.write(Data("ddk experiment: error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// results.json, results.md and the held-out chart in the experiment's folder.
    private func write(_ results: ExperimentResults, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try ExperimentRunResult.fileEncoder().encode(results).write(to: URL(fileURLWithPath: directory + "/results.json"), options: .atomic)
        try Data(results.markdown.utf8).write(to: URL(fileURLWithPath: directory + "/results.md"), options: .atomic)
        try Data(Self.chart(results).document().rendered().utf8).write(to: URL(fileURLWithPath: directory + "/held-out.svg"),
                                                                       options: .atomic)
    }

    /// Per domain (and their mean), one bar per arm: the held-out perplexity, error bars ± one
    /// standard deviation over seeds.
    static func chart(_ results: ExperimentResults) -> GroupedBarChart {
        let domains = results.arms.first?.domains.map(\.name) ?? []
        let series = results.arms.map { arm in
            GroupedBarChart.Series(name: arm.name, bars: arm.domains.map {
                GroupedBarChart.Bar(value: $0.studentPplMean, error: $0.studentPplStd)
            } + [GroupedBarChart.Bar(value: arm.meanPpl, error: arm.meanPplStd)])
        }
        return GroupedBarChart(title: "Held-out perplexity per arm, experiment \(results.experiment)", xTitle: "domain",
                               yTitle: "perplexity per \(results.perplexityUnit) (mean ± std over seeds)",
                               categories: domains + ["mean"], series: series)
    }

    /// The path of this executable, for the runs it starts.
    static func ownPath() -> String {
        Bundle.main.executablePath ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}
