import Foundation
import MPI
import TrainingCore

extension DistillJob {
    /// `ddk bench distill`, at the end of the run on every rank: the students time the
    /// gradient all-reduce both ways, every rank's figures are gathered on `world`, and rank 0
    /// assembles the benchmark (nil elsewhere).
    func measureBenchmark(_ parts: RankParts, _ ledger: IntervalLedger) throws -> DistillBenchmark? {
        var figures = RankBenchmarkFigures(teacherServingSeconds: ledger.servingSeconds)
        let student = parts.role.student
        if let synchronizer = student?.synchronizer, let students = parts.communicators.students {
            // Both from a synchronized start (a barrier first), best of 3: the same bytes
            // through the bucketed non-blocking path and through one blocking MPI_Allreduce.
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
            figures.teacherComputeSeconds = teacher.service.computeSeconds
            figures.creditWaitSeconds = teacher.service.creditWaitSeconds
            figures.isTeacher = true
        }
        guard let gathered = try world.gather(figures.flat, root: 0, within: collectiveDeadline, on: "world",
                                              for: "benchmark figures gather") else { return nil }
        return benchmarkFigures(stepRecords: ledger.stepRecords, ranks: RankBenchmarkFigures.ranks(of: gathered),
                                parameterCount: student?.trainer.model.layout.count ?? 0,
                                buckets: student?.synchronizer?.buckets.count ?? 0)
    }

    /// Rank 0's benchmark figures from the step records and every rank's end-of-run figures.
    func benchmarkFigures(stepRecords: [StepRecord], ranks: [RankBenchmarkFigures], parameterCount: Int,
                          buckets: Int) -> DistillBenchmark {
        let measured = stepRecords.count > 1 ? Array(stepRecords.dropFirst()) : stepRecords
        let stepSeconds = measured.reduce(0) { $0 + $1.stepSeconds }
        let tokens = Double(config.data.globalBatchSequences * config.data.sequenceLength * measured.count)
        var compute = 0.0, serving = 0.0, creditWait = 0.0, bare = 0.0, teachers = 0.0, bucketed = 0.0, heartbeat = 0.0
        for figures in ranks {
            compute += figures.teacherComputeSeconds
            serving += figures.teacherServingSeconds
            creditWait += figures.creditWaitSeconds
            bare = max(bare, figures.bareAllreduceSeconds)
            teachers += figures.isTeacher ? 1 : 0
            bucketed = max(bucketed, figures.bucketedAllreduceSeconds)
            heartbeat = max(heartbeat, figures.heartbeatSeconds / max(figures.heartbeatWallSeconds, 1e-9))
        }
        return DistillBenchmark(
            worldSize: world.size, teacherRanks: layout.teacherRanks, studentRanks: layout.studentRanks,
            stepsMeasured: measured.count, stepSecondsMean: stepSeconds / Double(max(1, measured.count)),
            studentTokensPerSecond: tokens / max(stepSeconds, 1e-9),
            teacherWaitFraction: measured.reduce(0) { $0 + $1.teacherWaitSeconds } / max(stepSeconds, 1e-9),
            allreduceSecondsPerStep: measured.reduce(0) { $0 + $1.allreduceSeconds } / Double(max(1, measured.count)),
            bucketedAllreduceSeconds: bucketed, bareAllreduceSeconds: bare,
            allreduceBytes: parameterCount * MemoryLayout<Float>.stride, allreduceBuckets: buckets,
            teacherPoolUtilization: serving > 0 ? compute / serving : 0,
            teacherCreditWaitSeconds: teachers > 0 ? creditWait / teachers : 0, heartbeatFraction: heartbeat)
    }
}
