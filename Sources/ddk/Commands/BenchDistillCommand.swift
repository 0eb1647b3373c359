import ArgumentParser
import Engine
import Foundation
import LanguageModels
import MPI
import Runtime
import TrainingCore

/// `ddk bench distill`: runs the distillation job for a few steps (one DDK interval, so no
/// drain in the middle) and reports student tokens/s, the fraction of step time students
/// wait for the teacher, the bucketed gradient all-reduce against a bare MPI_Allreduce of
/// the same bytes in the same run, and the teacher pool's utilization. Run it under mpirun
/// like `ddk distill`; rank 0 prints.
struct BenchDistillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Measure the distillation job (tokens/s, teacher wait, all-reduce, pool utilization).")

    @Option(help: "The run config (default: the demo config).")
    var config: String = "launch/configs/demo.toml"

    @OptionGroup var overrides: ConfigOverridesOption

    @Option(help: "Training steps measured (the first, which fills the pipeline, is not counted).")
    var steps: Int = 12

    @OptionGroup var output: JSONOutputOption

    func run() throws {
        let environment = try MPIEnvironment(threadLevel: .multiple)
        let world = environment.world
        if world.size > 1 { BLASThreads.set(1) }
        do {
            let overrides = overrides.overrides + ["training.steps=\(steps)", "ddk.interval_steps=\(steps)",
                                                   "training.weight_checksums=false", "run_directory=\"runs/bench-distill\""]
            let agreed = try DistillJobLaunch.agree(world: world, configPath: config, overrides: overrides)
            let peak = try measureSgemmPeak(world: world, deadlineSeconds: agreed.config.training.resolvedCollectiveTimeoutSeconds)
            let job = try DistillJob(world: world, config: agreed.config, configHash: agreed.hash, teacher: agreed.teacher,
                                     options: .init(versions: DDK.runVersions, benchmark: true))
            let summary = try job.run()
            try environment.finalize()
            guard var figures = summary.benchmark else { return }
            figures.sgemmPeakGflopsPerCore = peak
            figures.machineUtilization = figures.modelGflopsPerSecond / max(peak * Double(figures.cores), 1e-9)
            if output.json { try printJSON(figures) } else { print(Self.report(figures)) }
        } catch {
            throw DistillJobLaunch.fail(error, prefix: "ddk bench distill: rank \(world.rank)", environment: environment)
        }
    }

    /// One thread's sgemm peak (best of the reference student's shapes), measured by rank 0
    /// alone while the other ranks wait in a polling barrier (which sleeps between polls).
    func measureSgemmPeak(world: Communicator, deadlineSeconds: Double) throws -> Double {
        let peak = world.rank == 0
            ? SgemmProbe.measure(config: .referenceStudent, rows: 2048, headRows: 256).map(\.gflops).max() ?? 0 : 0
        let deadline = CollectiveDeadline(seconds: deadlineSeconds, worldRank: world.rank)
        try world.barrier(within: deadline, on: "world", for: "sgemm probe barrier")
        return peak
    }

    static func report(_ figures: DistillBenchmark) -> String {
        var lines = [String(format: """
            bench distill (%d ranks: teachers %@, students %@), %d steps measured, gradient sync %@
              student tokens/s            %.1f  (step %.2f s)
              teacher wait fraction       %.3f
              gradient sync per step      %.4f s waited by the slowest student, %.4f s exposed (the shortest wait)
              gradient all-reduce alone   %d buckets of %.1f MB in all: %.4f s vs bare MPI_Allreduce %.4f s
              teacher pool utilization    %.3f  (credit wait %.2f s per teacher)
              model arithmetic            %.1f GFLOP/s = %.3f of %d cores × %.1f GFLOP/s sgemm peak
              rank  role                   wall s   CPU   compute  teacher-wait  sync-wait  credit-wait  other
            """, figures.worldSize, "\(figures.teacherRanks)", "\(figures.studentRanks)", figures.stepsMeasured,
            figures.gradientSync, figures.studentTokensPerSecond, figures.stepSecondsMean, figures.teacherWaitFraction,
            figures.allreduceSecondsPerStep, figures.exposedSyncSecondsPerStep, figures.allreduceBuckets,
            Double(figures.allreduceBytes) / 1e6, figures.bucketedAllreduceSeconds, figures.bareAllreduceSeconds,
            figures.teacherPoolUtilization, figures.teacherCreditWaitSeconds, figures.modelGflopsPerSecond,
            figures.machineUtilization, figures.cores, figures.sgemmPeakGflopsPerCore)]
        for rank in figures.ranks {
            lines.append(String(format: "  %4d  %@ %7.1f  %4.2f  %7.3f  %12.3f  %9.3f  %11.3f  %5.3f", rank.rank, rank.role.padding(toLength: 20, withPad: " ", startingAt: 0),
                                rank.wallSeconds, rank.cpuUtilization, rank.computeFraction, rank.teacherWaitFraction,
                                rank.syncWaitFraction, rank.creditWaitFraction, rank.otherFraction))
        }
        return lines.joined(separator: "\n")
    }
}
