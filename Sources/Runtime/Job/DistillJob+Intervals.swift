import DataPipeline
import Engine
import Foundation
import MPI
import TrainingCore

/// What the intervals leave behind for the end of the run.
struct IntervalLedger {
    /// The step after which student 0 last wrote a checkpoint.
    var lastCheckpoint: Int
    /// Rank 0's step records (for `ddk bench distill`).
    var stepRecords: [StepRecord] = []
    /// Step 0's global batch (for `--check-gradient`).
    var stepZeroAssignments: [SequenceAssignment]?
    /// Where this rank's time went (`ddk bench distill`).
    var time = RankTimeAccount()
    /// Rank 0: per measured step, the shortest gradient-sync wait of any student — the sync
    /// time no student could hide (the longer waits add the students' imbalance).
    var exposedSyncSeconds: [Double] = []
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
        if let student = parts.role.student {
            studentLocal = try parts.sharding.evaluate(worker: student.index, of: layout.studentRanks.count,
                                                       maxBatch: parts.plan.localBatchSequences,
                                                       crossEntropy: student.trainer.crossEntropy)
        }
        let studentSums = try parts.communicators.trainers?.reduce(studentLocal, op: .sum, root: 0, within: collectiveDeadline,
                                                                   on: "trainers", for: "students' validation reduce at step \(step)")
        var decision = [Double](repeating: 0, count: domainCount + 1)
        var decided: DDKRecord?
        if let coordinator = parts.coordinator, let studentSums {
            let record = try coordinator.weighting.decide(step: step, studentSums: studentSums)
            let overTime = config.training.timeLimitSeconds.map { Date().timeIntervalSince(trainingStarted) > $0 } ?? false
            decision = record.domains.map(\.weightAfter) + [overTime ? 1 : 0]
            decided = record
        }
        try world.broadcast(&decision, root: 0, within: collectiveDeadline, on: "world",
                            for: "DDK decision broadcast at step \(step)")
        let weights = Array(decision[0..<domainCount])
        var weightHash = ContentHash()
        weights.withUnsafeBytes { weightHash.combine(bytes: $0) }
        let rankHashes = try world.gather(weightHash.value, root: 0, within: collectiveDeadline, on: "world",
                                          for: "DDK weight-hash gather at step \(step)")
        if var record = decided, let coordinator = parts.coordinator, let rankHashes {
            record.rankWeightChecksums = rankHashes.map(ContentHash.hex)
            try coordinator.metrics.append(.ddk(record))
            coordinator.progress.ddk(record)
            decided = record
        }
        return (weights, decision[domainCount] != 0, decided)
    }

    /// The steps `range` on this rank: a teacher serves them, the students and rank 0 train
    /// them, an idle teacher rank only advances the plan.
    func runInterval(_ range: Range<Int>, _ parts: inout RankParts, _ ledger: inout IntervalLedger) throws {
        if case .teacher(let teacher) = parts.role {
            try serveInterval(range, by: teacher.service, &parts, &ledger)
        } else if let trainers = parts.communicators.trainers {
            try trainInterval(range, on: trainers, &parts, &ledger)
        } else {
            for _ in range { heartbeat(at: try parts.plan.nextStep().step) }
        }
    }

    /// Tells the heartbeats this rank's step, and sends or takes any that are due.
    func heartbeat(at step: Int) {
        liveness?.currentStep = step
        liveness?.poll()
    }

    /// A teacher rank's side of the steps `range`: compute and send each served student's
    /// share, then drain (the next interval's batches depend on weights not decided yet).
    func serveInterval(_ range: Range<Int>, by service: TeacherService, _ parts: inout RankParts,
                       _ ledger: inout IntervalLedger) throws {
        try ledger.time.timing {
            for _ in range {
                let (step, assignments) = try parts.plan.nextStep()
                heartbeat(at: step)
                try service.serve(step: step, plan: parts.plan, assignments: assignments)
            }
            try service.drain()
        }
        ledger.time.computeSeconds = service.computeSeconds
        ledger.time.creditWaitSeconds = service.creditWaitSeconds
    }

    /// The students' and rank 0's side of the steps `range`: each student trains on its share,
    /// `trainers` gather the step's figures (and weight checksums) to rank 0, which writes
    /// the step record.
    func trainInterval(_ range: Range<Int>, on trainers: Communicator, _ parts: inout RankParts,
                       _ ledger: inout IntervalLedger) throws {
        let componentCount = objective.componentNames.count
        let logChecksums = config.training.weightChecksums ?? false
        let student = parts.role.student
        try student?.channel?.beginInterval(steps: range)
        var stepStarted = Date()
        for _ in range {
            let (step, assignments) = try parts.plan.nextStep()
            heartbeat(at: step)
            if step == 0 { ledger.stepZeroAssignments = assignments }
            var figures = RankStepFigures.notTraining(componentCount: componentCount)
            var checksum: UInt64 = 0
            var stepTime = RankTimeAccount()
            let gathered = try stepTime.timing {
                if let student {
                    figures = try trainStep(step, assignments: assignments, by: student, parts, &ledger)
                    if logChecksums { checksum = student.trainer.weightChecksum() }
                    try writeCheckpointIfDue(afterStep: step + 1, by: student, parts, &ledger)
                }
                return try trainers.gather(figures.flat, root: 0, within: collectiveDeadline, on: "trainers",
                                           for: "step \(step) figures gather")
            }
            if step > parts.startStep && student != nil { ledger.time.add(step: stepTime, figures) }
            let checksums = logChecksums ? try trainers.gather(checksum, root: 0, within: collectiveDeadline,
                                                               on: "trainers", for: "step \(step) weight-checksum gather") : nil
            if let gathered, let coordinator = parts.coordinator {
                let now = Date()
                let members = RankStepFigures.members(of: gathered, componentCount: componentCount)
                let record = stepRecord(step: step, members: members, checksums: checksums,
                                        seconds: now.timeIntervalSince(stepStarted), learningRate: learningRate(atStep: step, student))
                try coordinator.metrics.append(.step(record))
                ledger.stepRecords.append(record)
                ledger.exposedSyncSeconds.append(members.filter(\.trains).map(\.allreduceSeconds).min() ?? 0)
                coordinator.progress.step(record)
                stepStarted = now
            }
        }
        try student?.channel?.endInterval()
    }

    /// One student's step on its share of `assignments`.
    func trainStep(_ step: Int, assignments: [SequenceAssignment], by student: StudentPart, _ parts: RankParts,
                   _ ledger: inout IntervalLedger) throws -> RankStepFigures {
        let batch = parts.plan.batch(of: assignments, studentIndex: student.index)
        let stall = testHooks.stepStallSeconds(rank: world.rank, step: step)
        if stall > 0 { Thread.sleep(forTimeInterval: stall) }
        let result = try student.trainer.train(step: step, batch: batch, teacher: student.channel)
        return RankStepFigures(componentSums: result.componentSums, teacherWaitSeconds: result.teacherWaitSeconds,
                               allreduceSeconds: result.allreduceSeconds, stepSeconds: result.stepSeconds,
                               gradientNorm: result.gradientNorm, trains: true)
    }

    /// Student 0 writes a checkpoint every `checkpoint.every_steps` and after the last step
    /// (not in a benchmark, whose steps would count the write).
    func writeCheckpointIfDue(afterStep step: Int, by student: StudentPart, _ parts: RankParts,
                              _ ledger: inout IntervalLedger) throws {
        guard !options.benchmark && student.index == 0
                && (step % config.checkpoint.everySteps == 0 || step == config.training.steps) else { return }
        let written = Date()
        try writeCheckpoint(student, plan: parts.plan, afterStep: step)
        ledger.lastCheckpoint = step
        parts.coordinator?.progress.line(String(format: "checkpoint step-%d written in %.2f s", step,
                                                Date().timeIntervalSince(written)))
    }

    /// The learning rate of `step` for the record: the student's schedule, or on a rank 0
    /// that does not train the same schedule built from the config.
    func learningRate(atStep step: Int, _ student: StudentPart?) -> Double {
        let schedule = student?.trainer.schedule ?? config.optimizer.settings.schedule(totalSteps: config.training.steps)
        return schedule.learningRate(step: step)
    }

    /// Rank 0 turns the trainers' figures (in `trainers` order) into the step record.
    func stepRecord(step: Int, members: [RankStepFigures], checksums: [UInt64]?, seconds: Double,
                    learningRate: Double) -> StepRecord {
        let names = objective.componentNames
        var sums = [Double](repeating: 0, count: names.count)
        var wait = 0.0, allreduce = 0.0, gradientNorm = 0.0
        var studentChecksums: [String] = []
        for (member, figures) in members.enumerated() where figures.trains {
            for index in names.indices { sums[index] += figures.componentSums[index] }
            wait = max(wait, figures.teacherWaitSeconds)
            allreduce = max(allreduce, figures.allreduceSeconds)
            gradientNorm = figures.gradientNorm
            if let checksums { studentChecksums.append(ContentHash.hex(checksums[member])) }
        }
        let labels = Double(config.data.globalBatchSequences * config.data.sequenceLength)
        var components: [String: Double] = [:]
        var loss = 0.0
        for (index, name) in names.enumerated() {
            if name == "total" { loss = sums[index] / labels } else { components[name] = sums[index] / labels }
        }
        var record = StepRecord(step: step, loss: loss, components: components,
                                lr: learningRate, gradNorm: gradientNorm, tokensPerSecond: labels / max(seconds, 1e-9),
                                stepSeconds: seconds, teacherWaitSeconds: wait, allreduceSeconds: allreduce)
        record.weightChecksums = checksums == nil ? nil : studentChecksums
        return record
    }
}
