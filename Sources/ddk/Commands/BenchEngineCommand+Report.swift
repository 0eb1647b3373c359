import Engine

extension BenchEngineCommand {
    /// `--json` output: the figures of one run (field names as in the README).
    struct Report: Encodable {
        var config = "student C=256 F=704 L=6 NH=4 KVH=2 V=49152 tied"
        var batch: Int
        var sequence: Int
        var threads: Int
        var timedSteps: Int
        var parameters: Int
        var tokensPerSecond: Double
        var stepSeconds: Double
        var stepCPUSeconds: Double
        var lmHeadLossCPUSeconds: Double
        var lmHeadChunkRows: Int
        var tokensPerCPUSecond: Double
        var mfuCPUTime: Double
        var forwardSeconds: Double
        var lmHeadLossSeconds: Double
        var crossEntropySeconds: Double
        var backwardSeconds: Double
        var optimizerSeconds: Double
        var flopsPerStep: Double
        var achievedGflops: Double
        var sgemmGflops: Double
        var sgemmShapes: [SgemmProbe.Result]
        var mfu: Double
        var loss: Double
        var peakRSSBytes: Int
        var teacherTokensPerSecond: Double
        var teacherForwardSeconds: Double
        var teacherForwardCPUSeconds: Double
        var teacherGflops: Double
        var objective: String
        var objectiveStepSeconds: Double
        var objectiveStepCPUSeconds: Double
        var overheadVsCE: Double

        init(student: StudentStepFigures, config: LlamaConfig, threads: Int, timedSteps: Int, gemm: [SgemmProbe.Result],
             teacher: TeacherInferenceFigures, objective: String, objectiveTiming: ObjectiveBench.Timing, overheadVsCE: Double) {
            let tokens = Double(student.batchSize * student.sequenceLength)
            let peak = gemm.map(\.gflops).max() ?? 0
            batch = student.batchSize
            sequence = student.sequenceLength
            self.threads = threads
            self.timedSteps = timedSteps
            parameters = student.parameters
            tokensPerSecond = tokens / student.stepSeconds
            stepSeconds = student.stepSeconds
            stepCPUSeconds = student.stepCPUSeconds
            lmHeadLossCPUSeconds = student.lmHeadLossCPUSeconds
            lmHeadChunkRows = student.lmHeadChunkRows
            tokensPerCPUSecond = tokens / student.stepCPUSeconds
            // On a shared machine the process is often preempted: CPU time shows the idle-machine cost.
            mfuCPUTime = student.flopsPerStep / student.stepCPUSeconds / 1e9 / peak
            forwardSeconds = student.forwardSeconds
            lmHeadLossSeconds = student.lmHeadLossSeconds
            crossEntropySeconds = student.crossEntropySeconds
            backwardSeconds = student.backwardSeconds
            optimizerSeconds = student.optimizerSeconds
            flopsPerStep = student.flopsPerStep
            achievedGflops = student.flopsPerStep / student.stepSeconds / 1e9
            sgemmGflops = peak
            sgemmShapes = gemm
            mfu = achievedGflops / peak
            loss = student.loss
            peakRSSBytes = peakResidentBytes()
            teacherTokensPerSecond = teacher.tokensPerSecond
            teacherForwardSeconds = teacher.seconds
            teacherForwardCPUSeconds = teacher.cpuSeconds
            teacherGflops = teacher.gflops
            self.objective = objective
            objectiveStepSeconds = objectiveTiming.stepSeconds
            objectiveStepCPUSeconds = objectiveTiming.stepCPUSeconds
            self.overheadVsCE = overheadVsCE
        }
    }

    func printText(_ report: Report) {
        print("""
        student step \(report.batch)×\(report.sequence), \(report.threads) thread(s): \(fmt(report.stepSeconds)) s median, \(fmt(report.tokensPerSecond)) tokens/s (CPU time \(fmt(report.stepCPUSeconds)) s, MFU by CPU time \(fmt(report.mfuCPUTime)))
          forward \(fmt(report.forwardSeconds)) s, LM head + loss \(fmt(report.lmHeadLossSeconds)) s (cross-entropy \(fmt(report.crossEntropySeconds)) s), backward \(fmt(report.backwardSeconds)) s, optimizer \(fmt(report.optimizerSeconds)) s
          \(fmt(report.achievedGflops)) GFLOP/s achieved, sgemm peak \(fmt(report.sgemmGflops)) GFLOP/s, MFU \(fmt(report.mfu))
          peak RSS \(report.peakRSSBytes / 1_048_576) MiB
        teacher inference: \(fmt(report.teacherTokensPerSecond)) tokens/s (CPU time \(fmt(report.teacherForwardCPUSeconds)) s)
        objective \(report.objective): step CPU time \(fmt(report.objectiveStepCPUSeconds)) s, overhead vs ce \(fmt(100 * report.overheadVsCE))%
        """)
    }
}
