import Foundation

extension DistillJob {
    /// Rank 0's benchmark figures from the step records and every rank's end-of-run timings
    /// (`[teacher compute, teacher serving wall, credit wait, bare all-reduce, is teacher, bucketed all-reduce]`).
    func benchmarkFigures(stepRecords: [StepRecord], gathered: [Double], parameterCount: Int, buckets: Int) -> DistillBenchmark {
        let measured = stepRecords.count > 1 ? Array(stepRecords.dropFirst()) : stepRecords
        let stepSeconds = measured.reduce(0) { $0 + $1.stepSeconds }
        let tokens = Double(config.data.globalBatchSequences * config.data.sequenceLength * measured.count)
        var compute = 0.0, serving = 0.0, creditWait = 0.0, bare = 0.0, teachers = 0.0, bucketed = 0.0
        for rank in 0..<world.size {
            let entry = Array(gathered[rank * 6..<(rank + 1) * 6])
            compute += entry[0]; serving += entry[1]; creditWait += entry[2]
            bare = max(bare, entry[3]); teachers += entry[4]; bucketed = max(bucketed, entry[5])
        }
        return DistillBenchmark(
            worldSize: world.size, teacherRanks: layout.teacherRanks, studentRanks: layout.studentRanks,
            stepsMeasured: measured.count, stepSecondsMean: stepSeconds / Double(max(1, measured.count)),
            studentTokensPerSecond: tokens / max(stepSeconds, 1e-9),
            teacherWaitFraction: measured.reduce(0) { $0 + $1.teacherWaitSeconds } / max(stepSeconds, 1e-9),
            allreduceSecondsPerStep: measured.reduce(0) { $0 + $1.allreduceSeconds } / Double(max(1, measured.count)),
            bucketedAllreduceSeconds: bucketed, bareAllreduceSeconds: bare, allreduceBytes: parameterCount * MemoryLayout<Float>.stride, allreduceBuckets: buckets,
            teacherPoolUtilization: serving > 0 ? compute / serving : 0,
            teacherCreditWaitSeconds: teachers > 0 ? creditWait / teachers : 0)
    }
}
