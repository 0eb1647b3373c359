import DataPipeline
import Engine
import Foundation
import MPI

/// What one rank holds for the DDK intervals, built once by `DistillJob.run()`: the plan
/// every rank advances in lockstep, and whichever of the roles' parts this rank has.
struct RankParts {
    var plan: BatchPlan
    let communicators: JobCommunicators
    let sharding: ValidationSharding
    /// Students only.
    let studentIndex: Int?
    let trainer: StudentTrainer?
    let channel: TeacherChannel?
    /// Teacher ranks only.
    let service: TeacherService?
    /// Rank 0 only.
    let coordinator: DDKCoordinator?
    let metrics: MetricsLog?
    let progress: ProgressPrinter?
}

/// What the intervals leave behind for the end of the run.
struct IntervalLedger {
    /// The step after which student 0 last wrote a checkpoint.
    var lastCheckpoint: Int
    /// Rank 0's step records (for `ddk bench distill`).
    var stepRecords: [StepRecord] = []
    /// Step 0's global batch (for `--check-gradient`).
    var stepZeroAssignments: [SequenceAssignment]?
    /// A teacher rank's wall time serving (for the pool's utilization).
    var servingSeconds = 0.0
}

extension DistillJob {
    /// One DDK boundary at `step` on every rank: students evaluate their share of the
    /// validation sequences, `trainers` reduce the sums to rank 0, rank 0 decides the weights
    /// (and whether the time limit stops the run) and broadcasts them on `world`; every
    /// rank's weight hash is gathered into rank 0's `ddk` record.
    func decideWeights(at step: Int, _ parts: RankParts, trainingStarted: Date)
        throws -> (weights: [Double], stop: Bool, record: DDKRecord?) {
        let domainCount = parts.plan.dataset.domains.count
        var studentLocal = [Double](repeating: 0, count: 2 * domainCount)
        if let trainer = parts.trainer, let studentIndex = parts.studentIndex {
            studentLocal = try parts.sharding.evaluate(worker: studentIndex, of: layout.studentRanks.count,
                                                       maxBatch: parts.plan.localBatchSequences,
                                                       crossEntropy: trainer.crossEntropy)
        }
        let studentSums = try parts.communicators.trainers?.reduce(studentLocal, op: .sum, root: 0, within: collectiveDeadline,
                                                                   on: "trainers", for: "students' validation reduce at step \(step)")
        var decision = [Double](repeating: 0, count: domainCount + 1)
        var record: DDKRecord?
        if let coordinator = parts.coordinator {
            record = try coordinator.decide(step: step, studentSums: studentSums!)
            decision = record!.domains.map(\.weightAfter)
            let overTime = config.training.timeLimitSeconds.map { Date().timeIntervalSince(trainingStarted) > $0 } ?? false
            decision.append(overTime ? 1 : 0)
        }
        try world.broadcast(&decision, root: 0, within: collectiveDeadline, on: "world",
                            for: "DDK decision broadcast at step \(step)")
        let weights = Array(decision[0..<domainCount])
        var weightHash = ContentHash()
        weights.withUnsafeBytes { weightHash.combine(bytes: $0) }
        let rankHashes = try world.gather(weightHash.value, root: 0, within: collectiveDeadline, on: "world",
                                          for: "DDK weight-hash gather at step \(step)")
        if var finished = record {
            finished.rankWeightChecksums = rankHashes!.map(ContentHash.hex)
            try parts.metrics!.append(.ddk(finished))
            parts.progress!.ddk(finished)
            record = finished
        }
        return (weights, decision[domainCount] != 0, record)
    }

    /// A teacher rank's side of the steps `range`: compute and send each served student's
    /// share, then drain (the next interval's batches depend on weights not decided yet).
    func serveInterval(_ range: Range<Int>, by service: TeacherService, _ parts: inout RankParts,
                       _ ledger: inout IntervalLedger) throws {
        let started = Date()
        for _ in range {
            let (step, assignments) = try parts.plan.nextStep()
            try service.serve(step: step, plan: parts.plan, assignments: assignments)
        }
        try service.drain()
        ledger.servingSeconds += Date().timeIntervalSince(started)
    }

    /// The students' and rank 0's side of the steps `range`: each student trains on its share
    /// (student 0 writes the checkpoints), `trainers` gather the step's figures (and weight
    /// checksums) to rank 0, which writes the step record.
    func trainInterval(_ range: Range<Int>, on trainers: Communicator, _ parts: inout RankParts,
                       _ ledger: inout IntervalLedger) throws {
        let names = objective.componentNames
        let steps = config.training.steps
        let logChecksums = config.training.weightChecksums ?? false
        try parts.channel?.beginInterval(steps: range)
        var stepStarted = Date()
        for _ in range {
            let (step, assignments) = try parts.plan.nextStep()
            if step == 0 { ledger.stepZeroAssignments = assignments }
            var figures = [Double](repeating: 0, count: names.count + 5)
            var checksum: UInt64 = 0
            if let trainer = parts.trainer, let studentIndex = parts.studentIndex {
                let batch = SequenceBatch(sequences: parts.plan.tokens(of: assignments, studentIndex: studentIndex),
                                          batchSize: parts.plan.localBatchSequences, sequenceLength: config.data.sequenceLength)
                let result = try trainer.train(step: step, batch: batch, teacher: parts.channel)
                figures = result.componentSums + [result.teacherWaitSeconds, result.allreduceSeconds,
                                                  result.stepSeconds, result.gradientNorm, 1]
                if logChecksums { checksum = trainer.weightChecksum() }
                if studentIndex == 0 && ((step + 1) % config.checkpoint.everySteps == 0 || step + 1 == steps) {
                    let written = Date()
                    try writeCheckpoint(trainer, plan: parts.plan, afterStep: step + 1)
                    ledger.lastCheckpoint = step + 1
                    parts.progress?.line(String(format: "checkpoint step-%d written in %.2f s", step + 1,
                                                Date().timeIntervalSince(written)))
                }
            }
            let gathered = try trainers.gather(figures, root: 0, within: collectiveDeadline, on: "trainers",
                                               for: "step \(step) figures gather")
            let checksums = logChecksums ? try trainers.gather(checksum, root: 0, within: collectiveDeadline,
                                                               on: "trainers", for: "step \(step) weight-checksum gather") : nil
            if let gathered, world.rank == 0 {
                let now = Date()
                let schedule = parts.trainer?.schedule
                    ?? LearningRateSchedule(peak: config.optimizer.learningRate, floor: config.optimizer.minimumLearningRate,
                                            warmupSteps: config.optimizer.warmupSteps, totalSteps: steps)
                let record = stepRecord(step: step, gathered: gathered, checksums: checksums, names: names,
                                        trainerRanks: parts.communicators.trainerRanks,
                                        seconds: now.timeIntervalSince(stepStarted),
                                        learningRate: schedule.learningRate(step: step))
                try parts.metrics!.append(.step(record))
                ledger.stepRecords.append(record)
                parts.progress!.step(record)
                stepStarted = now
            }
        }
        try parts.channel?.endInterval()
    }
}
