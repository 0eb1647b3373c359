import Foundation
import Distillation
import Plots
import TrainingCore

/// The charts of one run, built from its metrics records alone: the loss and its
/// components per step, each domain's student/teacher perplexity ratio at every DDK
/// evaluation (log scale), and the DDK weights in force over the steps (stacked).
struct RunPlots {
    var runName: String
    var steps: [StepRecord]
    var evaluations: [DDKRecord]

    init(records: [MetricsRecord], fallbackName: String) {
        var runName: String?, steps: [StepRecord] = [], evaluations: [DDKRecord] = []
        for record in records {
            switch record {
            case .run(let run): runName = runName ?? run.name
            case .step(let step): steps.append(step)
            case .ddk(let ddk): evaluations.append(ddk)
            }
        }
        self.runName = runName ?? fallbackName
        self.steps = steps
        self.evaluations = evaluations
    }

    /// The domains in the order of the first evaluation.
    var domainNames: [String] { evaluations.first?.domains.map(\.name) ?? [] }

    /// The total loss and each named component (alphabetical) against the step; shares of
    /// tokens (`t2s_correct`) are not nats and stay off this axis.
    var lossChart: LineChart {
        let componentNames = Set(steps.flatMap { $0.components.keys }).subtracting(ObjectiveKind.shareComponentNames).sorted()
        let total = LineChart.Series(name: "loss (total)", points: steps.map { Point(x: Double($0.step), y: $0.loss) })
        let components = componentNames.map { name in
            LineChart.Series(name: name, points: steps.compactMap { step in
                step.components[name].map { Point(x: Double(step.step), y: $0) }
            })
        }
        return LineChart(title: "Training loss, run \(runName)", xTitle: "step",
                         yTitle: "loss per label token (nats)", series: [total] + components)
    }

    /// Each domain's student/teacher perplexity ratio at every DDK evaluation.
    var ratioChart: LineChart {
        let series = domainNames.map { name in
            LineChart.Series(name: name, points: evaluations.compactMap { evaluation in
                evaluation.domains.first { $0.name == name }.map {
                    Point(x: Double(evaluation.step), y: $0.studentPpl / $0.teacherPpl)
                }
            })
        }
        return LineChart(title: "Student/teacher perplexity ratio per domain, run \(runName)",
                         xTitle: "step (DDK evaluation)", yTitle: "student ppl / teacher ppl (log scale)",
                         series: series, yKind: .logarithmic)
    }

    /// The weights in force from each evaluation to the next, as steps: at every
    /// evaluation after the first, the weights before it and then the weights after it.
    var weightChart: StackedAreaChart {
        var x: [Double] = []
        var values = [[Double]](repeating: [], count: domainNames.count)
        for (index, evaluation) in evaluations.enumerated() {
            let phases: [KeyPath<DDKRecord.Domain, Double>] = index == 0 ? [\.weightAfter] : [\.weightBefore, \.weightAfter]
            for phase in phases {
                x.append(Double(evaluation.step))
                for (domainIndex, name) in domainNames.enumerated() {
                    values[domainIndex].append(evaluation.domains.first { $0.name == name }?[keyPath: phase] ?? 0)
                }
            }
        }
        let mode = evaluations.last?.mode.rawValue ?? "?"
        return StackedAreaChart(title: "DDK domain weights (mode \(mode)), run \(runName)", xTitle: "step",
                                yTitle: "domain weight (stacked, sums to 1)", x: x,
                                layers: zip(domainNames, values).map { StackedAreaChart.Layer(name: $0, values: $1) })
    }

    /// Writes loss.svg (when there are steps) and ratios.svg and weights.svg (when there are
    /// DDK evaluations) into `folder`; returns what it wrote.
    func write(into folder: String) throws -> [PlotFile] {
        var documents: [(String, SVGDocument)] = []
        if !steps.isEmpty { documents.append(("loss", lossChart.document())) }
        if !evaluations.isEmpty {
            documents.append(("ratios", ratioChart.document()))
            documents.append(("weights", weightChart.document()))
        }
        return try documents.map { name, document in
            let path = (folder as NSString).appendingPathComponent("\(name).svg")
            try document.write(to: path)
            return PlotFile(name: name, path: path)
        }
    }
}

/// One chart written by `ddk report --plot`.
struct PlotFile: Encodable, Equatable {
    /// "loss", "ratios" or "weights".
    var name: String
    var path: String
}
