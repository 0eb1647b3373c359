import ArgumentParser
import Foundation
import TrainingCore

extension ReportCommand {
    /// `--plot`: writes RUN/plots/{loss,ratios,weights}.svg and prints their paths
    /// (with --json, one `PlotReport`).
    func writePlots(records: [MetricsRecord]) throws {
        let plots = RunPlots(records: records, fallbackName: runFolder)
        guard !plots.steps.isEmpty || !plots.evaluations.isEmpty else {
            throw ValidationError("\(runFolder)/metrics.jsonl has no step or DDK record to plot")
        }
        let files = try plots.write(into: (runFolder as NSString).appendingPathComponent("plots"))
        if output.json {
            try printJSON(PlotReport(run: plots.runName, plots: files))
        } else {
            for file in files { print(file.path) }
        }
    }

    /// What `ddk report --plot --json` prints.
    struct PlotReport: Encodable {
        var run: String
        var plots: [PlotFile]
    }
}
