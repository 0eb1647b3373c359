import ArgumentParser
import Foundation
import Runtime
import TrainingCore

/// `ddk report`: the per-domain table of a distillation run, read from its `metrics.jsonl`
/// alone — teacher perplexity, student perplexity at the first and the last DDK boundary,
/// and the weights in force at the end.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Per-domain table of a run: teacher and student perplexity (first and last evaluation) and DDK weights.",
        discussion: """
        Reads RUN/metrics.jsonl (written by ddk distill). With --json prints one object: \
        run, steps, mode, domains [{name, teacher_ppl, student_ppl_before, student_ppl_after, \
        ratio_after, weight}], mean_student_ppl_before, mean_student_ppl_after. \
        With --plot writes SVG charts instead of the table: RUN/plots/loss.svg (loss and its \
        components per step), ratios.svg (each domain's student/teacher perplexity ratio, log \
        scale) and weights.svg (the DDK weights over the steps, stacked); prints their paths \
        (with --json: run, plots [{name, path}]).
        """)

    @Option(name: .customLong("run"), help: "The run folder (holding metrics.jsonl), e.g. runs/demo.")
    var runFolder: String

    @Flag(name: .long, help: "Write SVG charts to RUN/plots (loss, ratios, weights) instead of the table.")
    var plot = false

    @OptionGroup var output: JSONOutputOption

    func run() throws {
        let path = (runFolder as NSString).appendingPathComponent("metrics.jsonl")
        let records = try MetricsLog.read(path: path)
        if plot { return try writePlots(records: records) }
        let evaluations = records.compactMap { record -> DDKRecord? in
            if case .ddk(let ddk) = record { return ddk }
            return nil
        }
        guard let first = evaluations.first, let last = evaluations.last else {
            throw ValidationError("\(path) has no DDK evaluation yet (the run has not reached its first boundary)")
        }
        let runName = records.lazy.compactMap { record -> String? in
            if case .run(let info) = record { return info.name }
            return nil
        }.first ?? runFolder
        let rows = zip(first.domains, last.domains).map { before, after in
            Row(name: after.name, teacherPpl: after.teacherPpl, studentPplBefore: before.studentPpl,
                studentPplAfter: after.studentPpl, ratioAfter: after.studentPpl / after.teacherPpl,
                weight: after.weightAfter)
        }
        let meanBefore = rows.map(\.studentPplBefore).reduce(0, +) / Double(rows.count)
        let meanAfter = rows.map(\.studentPplAfter).reduce(0, +) / Double(rows.count)

        if output.json {
            try printJSON(Report(run: runName, steps: last.step, mode: last.mode.rawValue, domains: rows,
                                 meanStudentPplBefore: meanBefore, meanStudentPplAfter: meanAfter))
            return
        }
        print("run \(runName): DDK mode \(last.mode.rawValue), student evaluated at step \(first.step) and step \(last.step)")
        let table = PerplexityTable(
            beforeHeading: "student ppl (step \(first.step))", afterHeading: "student ppl (step \(last.step))",
            rows: rows.map { PerplexityTable.Row(domain: $0.name, teacherPerplexity: $0.teacherPpl,
                                                 studentPerplexityBefore: $0.studentPplBefore,
                                                 studentPerplexityAfter: $0.studentPplAfter, weight: $0.weight) })
        for line in table.lines { print(line) }
    }

    struct Row: Encodable {
        var name: String
        var teacherPpl: Double
        var studentPplBefore: Double
        var studentPplAfter: Double
        var ratioAfter: Double
        var weight: Double
    }

    struct Report: Encodable {
        var run: String
        var steps: Int
        var mode: String
        var domains: [Row]
        var meanStudentPplBefore: Double
        var meanStudentPplAfter: Double
    }
}
