import Engine
import Foundation
import MPI
import TrainingCore

extension DistillJob {
    /// `ddk bench distill`, at the end of the run on every rank: the students time the
    /// gradient all-reduce both ways, every rank's figures are gathered on `world`, and rank 0
    /// assembles the benchmark (nil elsewhere).
    func measureBenchmark(_ parts: RankParts, _ ledger: IntervalLedger) throws -> DistillBenchmark? {
        let time = ledger.time
        var figures = RankBenchmarkFigures(wallSeconds: time.wallSeconds, cpuSeconds: time.cpuSeconds,
                                           computeSeconds: time.computeSeconds, teacherWaitSeconds: time.teacherWaitSeconds,
                                           syncWaitSeconds: time.syncWaitSeconds, creditWaitSeconds: time.creditWaitSeconds)
        let student = parts.role.student
        if let synchronizer = student?.synchronizer, let students = parts.communicators.students {
            // Both from a synchronized start (a barrier first), best of 3: the same bytes
            // through the bucketed path of the run's mode and through one blocking MPI_Allreduce.
            let deadline = collectiveDeadline
            figures.bareAllreduceSeconds = try (0..<3).map { _ in
                try students.barrier(within: deadline, on: "students", for: "benchmark barrier")
                return try synchronizer.bareAllReduceSeconds()
            }.min() ?? 0
            figures.bucketedAllreduceSeconds = try (0..<3).map { _ in
                try students.barrier(within: deadline, on: "students", for: "benchmark barrier")
                return try synchronizer.sumGradients(purpose: "benchmark gradient all-reduce")
            }.min() ?? 0
        }
        if let liveness {
            figures.heartbeatSeconds = liveness.busySeconds
            figures.heartbeatWallSeconds = liveness.runningSeconds
        }
        if case .teacher(let teacher) = parts.role {
            figures.isTeacher = true
            figures.teacherTokens = Double(teacher.service.tokensComputed)
        }
        guard let gathered = try world.gather(figures.flat, root: 0, within: collectiveDeadline, on: "world",
                                              for: "benchmark figures gather") else { return nil }
        return try benchmarkFigures(ledger, ranks: RankBenchmarkFigures.ranks(of: gathered),
                                    buckets: student?.synchronizer?.buckets.count ?? 0)
    }

    /// Rank 0's benchmark figures from its ledger and every rank's end-of-run figures.
    func benchmarkFigures(_ ledger: IntervalLedger, ranks: [RankBenchmarkFigures], buckets: Int) throws -> DistillBenchmark {
        let records = ledger.stepRecords
        let measured = records.count > 1 ? Array(records.dropFirst()) : records
        let exposed = ledger.exposedSyncSeconds.count > 1 ? Array(ledger.exposedSyncSeconds.dropFirst()) : ledger.exposedSyncSeconds
        let stepSeconds = measured.reduce(0) { $0 + $1.stepSeconds }
        let tokensPerStep = Double(config.data.globalBatchSequences * config.data.sequenceLength)
        let teachers = ranks.filter(\.isTeacher)
        let flops = try modelFlops(steps: records.count, teacherTokens: teachers.reduce(0) { $0 + $1.teacherTokens })
        let allSeconds = records.reduce(0) { $0 + $1.stepSeconds }
        let studentParameters = try studentArchitecture().parameterCount
        return DistillBenchmark(
            worldSize: world.size, teacherRanks: layout.teacherRanks, studentRanks: layout.studentRanks,
            stepsMeasured: measured.count, stepSecondsMean: stepSeconds / Double(max(1, measured.count)),
            studentTokensPerSecond: tokensPerStep * Double(measured.count) / max(stepSeconds, 1e-9),
            teacherWaitFraction: measured.reduce(0) { $0 + $1.teacherWaitSeconds } / max(stepSeconds, 1e-9),
            gradientSync: gradientSyncMode.rawValue,
            allreduceSecondsPerStep: measured.reduce(0) { $0 + $1.allreduceSeconds } / Double(max(1, measured.count)),
            exposedSyncSecondsPerStep: exposed.reduce(0, +) / Double(max(1, exposed.count)),
            bucketedAllreduceSeconds: ranks.map(\.bucketedAllreduceSeconds).max() ?? 0,
            bareAllreduceSeconds: ranks.map(\.bareAllreduceSeconds).max() ?? 0,
            allreduceBytes: studentParameters * MemoryLayout<Float>.stride, allreduceBuckets: buckets,
            teacherPoolUtilization: teachers.isEmpty ? 0
                : teachers.reduce(0) { $0 + $1.computeSeconds } / max(teachers.reduce(0) { $0 + $1.wallSeconds }, 1e-9),
            teacherCreditWaitSeconds: teachers.isEmpty ? 0 : teachers.reduce(0) { $0 + $1.creditWaitSeconds } / Double(teachers.count),
            heartbeatFraction: ranks.map { $0.heartbeatSeconds / max($0.heartbeatWallSeconds, 1e-9) }.max() ?? 0,
            ranks: ranks.enumerated().map { RankTimeBreakdown(rank: $0, role: Self.roleName(layout.roles(ofRank: $0)), figures: $1) },
            modelFlopsPerStep: flops / Double(max(1, records.count)), modelGflopsPerSecond: flops / max(allSeconds, 1e-9) / 1e9,
            sgemmPeakGflopsPerCore: 0, cores: hostCount * ProcessInfo.processInfo.activeProcessorCount, machineUtilization: 0)
    }

    /// The run's model FLOPs over `steps` steps: the student's training FLOPs per token over
    /// every global batch, and the teacher's forward FLOPs per token over `teacherTokens`
    /// (the pool's; a single process computes the teacher for every token itself).
    func modelFlops(steps: Int, teacherTokens: Double) throws -> Double {
        let T = config.data.sequenceLength
        let tokens = Double(config.data.globalBatchSequences * T * steps)
        let selfServed = layout.teacherRanks.isEmpty && objective.needsTeacher && config.teacher.resolvedSource == .live
        let teacherTokens = selfServed ? tokens : teacherTokens
        return try studentArchitecture().flopsPerToken(sequenceLength: T) * tokens
            + teacher.architecture.shape.forwardFlopsPerToken(sequenceLength: T) * teacherTokens
    }

    /// The student's architecture (on every rank, whether or not it trains).
    func studentArchitecture() throws -> LlamaConfig {
        try StudentInitializer.architecture(config.student, teacher: vocabularies.studentSource.config)
    }
}
