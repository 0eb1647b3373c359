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
        let environment = try MPIEnvironment()
        let world = environment.world
        if world.size > 1 { BLASThreads.set(1) }
        do {
            let overrides = overrides.overrides + ["training.steps=\(steps)", "ddk.interval_steps=\(steps)",
                                                   "training.weight_checksums=false", "run_directory=\"runs/bench-distill\""]
            let agreed = try DistillJobLaunch.agree(world: world, configPath: config, overrides: overrides)
            let job = try DistillJob(world: world, config: agreed.config, configHash: agreed.hash, teacher: agreed.teacher,
                                     options: .init(versions: DDK.runVersions, benchmark: true))
            let summary = try job.run()
            try environment.finalize()
            guard let figures = summary.benchmark else { return }
            if output.json {
                try printJSON(figures)
            } else {
                print(String(format: """
                    bench distill (%d ranks: teachers %@, students %@), %d steps measured
                      student tokens/s            %.1f  (step %.2f s)
                      teacher wait fraction       %.3f
                      all-reduce per step         %.4f s in the run; %d buckets of %.1f MB in all: %.4f s vs bare MPI_Allreduce %.4f s
                      teacher pool utilization    %.3f  (credit wait %.2f s per teacher)
                    """, figures.worldSize, "\(figures.teacherRanks)", "\(figures.studentRanks)", figures.stepsMeasured,
                    figures.studentTokensPerSecond, figures.stepSecondsMean, figures.teacherWaitFraction,
                    figures.allreduceSecondsPerStep, figures.allreduceBuckets, Double(figures.allreduceBytes) / 1e6,
                    figures.bucketedAllreduceSeconds, figures.bareAllreduceSeconds, figures.teacherPoolUtilization, figures.teacherCreditWaitSeconds))
            }
        } catch {
            throw DistillJobLaunch.fail(error, prefix: "ddk bench distill: rank \(world.rank)", environment: environment)
        }
    }
}
