import ArgumentParser
import Foundation
import TrainingCore

/// `ddk plan`: predicts the distillation job's step time, student tokens/s, bottleneck and
/// scaling efficiency on a cluster from figures measured on this machine (`ddk plan measure`),
/// with `TrainingCore`'s `ScalingModel`.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Predict the job's scaling on a cluster from measured figures (ddk plan measure).",
        subcommands: [PlanPredictCommand.self, PlanMeasureCommand.self],
        defaultSubcommand: PlanPredictCommand.self)
}

/// `ddk plan --figures FILE --nodes N …`: the table of the best split per rank count, or one layout.
struct PlanPredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "The best teacher:student split for each rank count (powers of two), or one layout (--ranks, --teacher-ranks).",
        discussion: """
            JSON: one layout (--ranks P --teacher-ranks T) or the best split of --ranks P alone: the prediction's \
            fields (ranks, teacher_ranks, student_ranks, nodes, global_batch_tokens, step_seconds, \
            step_seconds_with_boundaries, student_tokens_per_second, scaling_efficiency, bottleneck, compute_slowdown, teacher_slowdown, \
            student_compute_seconds, gradient_allreduce_seconds, gradient_allreduce_link_seconds, \
            teacher_compute_seconds, teacher_message_seconds, boundary_seconds_per_step); without --ranks: cluster, \
            allreduce_algorithm, single_rank_tokens_per_second, rows (one prediction per rank count).
            """)

    @Option(name: .long, help: "The figures file (ddk plan measure --json).")
    var figures: String

    @OptionGroup var cluster: ClusterOptions

    @Option(name: .long, help: "One rank count: its best split, or with --teacher-ranks that layout.")
    var ranks: Int?

    @Option(name: .long, help: "Teacher ranks of the layout (with --ranks).")
    var teacherRanks: Int?

    @Option(name: .long, help: "Global batch tokens every layout splits (default: each student keeps the measured per-rank batch).")
    var globalBatchTokens: Int?

    @Option(name: .long, help: "All-reduce model: binomial (default: what the job's 8 MB buckets measured over a link, both gradient_sync paths) or ring (both directions at once).")
    var allreduce: AllReduceAlgorithm?

    @OptionGroup var output: JSONOutputOption

    func validate() throws {
        if teacherRanks != nil && ranks == nil { throw ValidationError("--teacher-ranks needs --ranks") }
    }

    func run() throws {
        let measured = try Self.readFigures(figures)
        let model = try ScalingModel(figures: measured, cluster: cluster.cluster, algorithm: allreduce ?? measured.allreduceAlgorithm,
                                     globalBatchTokens: globalBatchTokens)
        if let ranks {
            let prediction = try teacherRanks.map {
                try model.predict(PlannedLayout(ranks: ranks, teacherRanks: $0, coordinatorTrains: measured.coordinatorTrains))
            } ?? model.bestSplit(ranks: ranks)
            if output.json { try printJSON(prediction) } else { Self.printRows([prediction]) }
            return
        }
        let table = try model.table()
        if output.json { try printJSON(table) } else {
            print(String(format: "one rank: %.1f student tokens/s; %d nodes × %d ranks, %.3g cores per node, link %.3g Gbit/s, %.0f µs",
                         table.singleRankTokensPerSecond, cluster.nodes, cluster.ranksPerNode, cluster.coresPerNode,
                         cluster.linkGbps, cluster.linkLatencyUs))
            Self.printRows(table.rows)
        }
    }

    static func readFigures(_ path: String) throws -> MeasuredFigures {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(MeasuredFigures.self, from: try readInputFile(path))
        } catch let error as DecodingError {
            throw ValidationError("\(path) is not a figures file of ddk plan measure --json: \(error)")
        }
    }

    static func printRows(_ rows: [ScalingPrediction]) {
        print("ranks  teachers  students  nodes  step s  tokens/s  efficiency  bottleneck          student s  all-reduce s  teacher s")
        for row in rows {
            print(String(format: "%5d  %8d  %8d  %5d  %6.3f  %8.1f  %10.3f  %-18@  %9.3f  %12.3f  %9.3f", row.ranks, row.teacherRanks,
                         row.studentRanks, row.nodes, row.stepSecondsWithBoundaries, row.studentTokensPerSecond,
                         row.scalingEfficiency, row.bottleneck.rawValue, row.studentComputeSeconds,
                         row.gradientAllreduceSeconds, row.teacherComputeSeconds))
        }
    }
}

extension AllReduceAlgorithm: ExpressibleByArgument {}
