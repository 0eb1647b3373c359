import ArgumentParser
import Engine
import Foundation
import MPI
import Runtime
import TrainingCore

/// `ddk plan measure`: the figures file of `ddk plan`, measured on this machine: the config's
/// student step at its per-rank batch, the teacher's outputs, a validation pass (rank 0, one
/// process, one thread) and, under `mpirun -np 2`, the job's bucketed all-reduce over 4 KB…64 MB
/// fitted to α + bytes/β.
struct PlanMeasureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure",
        abstract: "Measure the figures file of `ddk plan` on this machine (under mpirun -np 2 also the all-reduce).",
        discussion: """
            JSON fields (the figures file): config, needs_teacher, coordinator_trains, global_batch_tokens, \
            student_batch_tokens, student_step_seconds_per_token, teacher_tokens_per_second, \
            teacher_message_bytes_per_token, validation_seconds_per_boundary, interval_steps, gradient_bytes, \
            allreduce_bucket_bytes, allreduce_latency_seconds, allreduce_bytes_per_second, allreduce_samples \
            (bytes, seconds).
            """)

    @Option(help: "The run config.")
    var config: String = "launch/configs/demo.toml"

    @OptionGroup var overrides: ConfigOverridesOption

    @Option(name: .long, help: "Students the global batch is split over: the per-rank batch timed.")
    var students = 1

    @Option(name: .long, help: "Timed training steps (after one warm-up).")
    var steps = 3

    @Option(name: .long, help: "All-reduces per size (after one warm-up; median).")
    var repetitions = 5

    @OptionGroup var output: JSONOutputOption

    func run() throws {
        let environment = try MPIEnvironment(threadLevel: .multiple)
        let world = environment.world
        BLASThreads.set(1)
        do {
            try measure(world: world, environment: environment)
        } catch {
            throw DistillJobLaunch.fail(error, prefix: "ddk plan measure: rank \(world.rank)", environment: environment)
        }
    }

    func measure(world: Communicator, environment: MPIEnvironment) throws {
        guard world.size <= 2 else { throw MeasureError("run plan measure alone or under mpirun -np 2, not \(world.size) ranks") }
        let loaded = try DistillConfig.load(path: config, overrides: overrides.overrides)
        let bucketBytes = Int(loaded.training.allreduceBucketMegabytes * 1_048_576)
        let samples = world.size == 2
            ? try AllReduceProbe.measure(on: world, bucketBytes: bucketBytes, mode: syncMode(loaded, world), repetitions: repetitions,
                                        log: world.rank == 0 ? logLine : { _ in }) : []
        var figures: MeasuredFigures?
        if world.rank == 0 { figures = try measureJob(loaded, bucketBytes: bucketBytes, samples: samples, mode: syncMode(loaded, world)) }
        // The other rank waits polling with sleeps (not in a spinning MPI_Barrier), so rank 0 has the machine.
        try world.barrier(within: CollectiveDeadline(seconds: 3600, configKey: "plan measure", worldRank: world.rank),
                          on: "world", for: "plan measure end")
        try environment.finalize()
        guard let figures else { return }
        if output.json { try printJSON(figures) } else { Self.printText(figures) }
    }

    /// The config's `training.gradient_sync`, as the job would run it with the thread level MPI granted.
    func syncMode(_ loaded: DistillConfig, _ world: Communicator) -> GradientSyncMode {
        GradientSynchronizer.mode(loaded.training.resolvedGradientSync, granted: world.environment.providedThreadLevel)
    }

    func measureJob(_ loaded: DistillConfig, bucketBytes: Int, samples: [AllReduceSample],
                    mode: GradientSyncMode) throws -> MeasuredFigures {
        guard students >= 1, loaded.data.globalBatchSequences % students == 0 else {
            throw MeasureError("--students \(students) does not divide the global batch of \(loaded.data.globalBatchSequences) sequences")
        }
        let job = try JobStepFigures.measure(loaded, sequences: loaded.data.globalBatchSequences / students, steps: max(1, steps),
                                             log: logLine)
        let fit = AllReduceFit.fit(samples)
        return MeasuredFigures(
            config: config, needsTeacher: job.needsTeacher, coordinatorTrains: loaded.training.coordinatorTrains,
            globalBatchTokens: loaded.data.globalBatchSequences * loaded.data.sequenceLength, studentBatchTokens: job.batchTokens,
            studentStepSecondsPerToken: job.studentStepSeconds / Double(job.batchTokens),
            teacherTokensPerSecond: job.needsTeacher ? Double(job.batchTokens) / job.teacherSeconds : 0,
            teacherMessageBytesPerToken: job.needsTeacher ? job.teacherMessageBytesPerToken : 0,
            validationSecondsPerBoundary: job.validationSeconds, intervalSteps: loaded.ddk.intervalSteps,
            gradientBytes: job.gradientBytes, allreduceBucketBytes: bucketBytes,
            allreduceLatencySeconds: fit.latencySeconds, allreduceBytesPerSecond: fit.bytesPerSecond, allreduceSamples: samples,
            gradientSync: samples.isEmpty ? nil : mode)
    }

    static func printText(_ figures: MeasuredFigures) {
        print(String(format: """
            plan measure %@ (one thread)
              student step            %.3f ms per token at %d tokens per rank
              teacher                 %.1f tokens/s per rank, %.1f message bytes per token
              validation pass         %.2f s per boundary (one rank), K = %d
              gradient all-reduce     %.1f MB; α %.1f µs, β %.2f GB/s (%d sizes)
            """, figures.config, figures.studentStepSecondsPerToken * 1000, figures.studentBatchTokens,
            figures.teacherTokensPerSecond, figures.teacherMessageBytesPerToken, figures.validationSecondsPerBoundary,
            figures.intervalSteps, Double(figures.gradientBytes) / 1e6, figures.allreduceLatencySeconds * 1e6,
            figures.allreduceBytesPerSecond / 1e9, figures.allreduceSamples.count))
    }
}
