import Engine

/// The reference student's training step by phase: medians over the timed steps (after
/// one warm-up step), wall-clock and process CPU time.
struct StudentStepFigures {
    var batchSize: Int
    var sequenceLength: Int
    var parameters: Int
    var lmHeadChunkRows: Int
    var flopsPerStep: Double
    var forwardSeconds: Double
    var lmHeadLossSeconds: Double
    var crossEntropySeconds: Double
    var backwardSeconds: Double
    var optimizerSeconds: Double
    var stepSeconds: Double
    var stepCPUSeconds: Double
    var lmHeadLossCPUSeconds: Double
    var loss: Double

    /// Runs `steps + 1` steps of `model` (forward, LM head + cross-entropy, backward, clip + AdamW).
    static func measure(_ model: LlamaModel, batchSize B: Int, sequenceLength T: Int, tokens: [Int32], targets: [Int32],
                        optimizer adam: AdamW, steps: Int, log: (String) -> Void) throws -> StudentStepFigures {
        let config = model.config
        var phases: [[Double]] = []
        var cpuSteps: [Double] = [], cpuHead: [Double] = []
        var losses: [Double] = []
        var crossEntropySeconds: [Double] = []
        for step in 0..<(steps + 1) {
            let c0 = cpuNow()
            let t0 = now()
            model.zeroGradients()
            try model.forward(tokens: tokens, batchSize: B, sequenceLength: T)
            let t1 = now()
            let c1 = cpuNow()
            var loss = TimedLoss(inner: try CrossEntropyLoss(targets: targets, vocabularySize: config.vocabularySize))
            try model.lmHeadLoss(&loss)
            let t2 = now()
            let c2 = cpuNow()
            try model.backward()
            let t3 = now()
            GradientClipping.clip(model.gradients.buffer, maxNorm: 1)
            adam.update(parameters: model.parameters, gradients: model.gradients, learningRate: 1e-4)
            let t4 = now()
            let c4 = cpuNow()
            log("step \(step): \(fmt(t4 - t0)) s (forward \(fmt(t1 - t0)), head+loss \(fmt(t2 - t1)), backward \(fmt(t3 - t2)), optimizer \(fmt(t4 - t3))), loss \(fmt(loss.inner.meanLoss))")
            if step > 0 {
                phases.append([t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0])
                losses.append(loss.inner.meanLoss)
                crossEntropySeconds.append(loss.seconds)
                cpuSteps.append(c4 - c0)
                cpuHead.append(c2 - c1)
            }
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        func phaseMedian(_ phase: Int) -> Double { median(phases.map { $0[phase] }) }
        return StudentStepFigures(
            batchSize: B, sequenceLength: T, parameters: config.parameterCount, lmHeadChunkRows: model.lmHeadChunkRows,
            flopsPerStep: config.flopsPerToken(sequenceLength: T) * Double(B * T),
            forwardSeconds: phaseMedian(0), lmHeadLossSeconds: phaseMedian(1), crossEntropySeconds: median(crossEntropySeconds),
            backwardSeconds: phaseMedian(2), optimizerSeconds: phaseMedian(3), stepSeconds: phaseMedian(4),
            stepCPUSeconds: median(cpuSteps), lmHeadLossCPUSeconds: median(cpuHead), loss: losses.last ?? 0)
    }
}
