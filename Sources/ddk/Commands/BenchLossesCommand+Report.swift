extension BenchLossesCommand {
    /// One objective's step (an entry of `objectives` in the `--json` output).
    struct ObjectiveFigures: Encodable {
        var stepSeconds: Double
        var stepCPUSeconds: Double
        var lossPhaseSeconds: Double
        var lossPhaseCPUSeconds: Double
        var loss: Double
        var overheadVsCE: Double

        init(_ timing: ObjectiveBench.Timing, ceStepCPUSeconds: Double) {
            stepSeconds = timing.stepSeconds
            stepCPUSeconds = timing.stepCPUSeconds
            lossPhaseSeconds = timing.lossPhaseSeconds
            lossPhaseCPUSeconds = timing.lossPhaseCPUSeconds
            loss = timing.meanLoss
            overheadVsCE = timing.stepCPUSeconds / ceStepCPUSeconds - 1
        }
    }

    /// `--json` output (field names as in the README).
    struct Report: Encodable {
        var config = "student C=256 F=704 L=6 NH=4 KVH=2 V=49152 tied; teacher dT=576"
        var batch: Int
        var sequence: Int
        var threads: Int
        var timedSteps: Int
        var topK: Int
        var distance: String
        var kdTemperature: Double
        /// By objective name.
        var objectives: [String: ObjectiveFigures]
        var topKSelectionSecondsPerToken: Double
        var peakRSSBytes: Int
    }
}
