import Distillation
import Engine
import Foundation

/// Shared by `ddk bench losses` and `ddk bench engine --objective`: sets up an objective
/// on the reference student with synthetic teacher data of the teacher's shape (speed
/// only) and times full training steps under it.
enum ObjectiveBench {
    /// An objective with one step's synthetic inputs.
    struct Prepared {
        var objective: any Objective
        var batch: ObjectiveBatch
        var teacher: TeacherOutputsView?
    }

    /// Medians over the timed steps.
    struct Timing {
        var stepSeconds = 0.0, stepCPUSeconds = 0.0, lossPhaseSeconds = 0.0, lossPhaseCPUSeconds = 0.0, meanLoss = 0.0
    }

    /// Builds `kind` for `model` (batch tokens, labels); kd gets top-k targets at `kdTemperature`
    /// (DDK's weighting CE + 0.2·D at τ = 1, else DSKD's 0.5·CE + 0.5·D), the dual-space
    /// objectives a teacher of SmolLM2's width (dskd-cma: the teacher tokenizes alike).
    static func prepare(_ kind: ObjectiveKind, model: LlamaModel, tokens: [Int32], labels: StepLabels,
                        distance: Distance, topK: Int, kdTemperature: Float = 1,
                        selectionSecondsPerToken: inout Double) throws -> Prepared {
        let config = model.config, teacher = LlamaConfig.smolLM2_135M
        let n = tokens.count, v = config.vocabularySize, dT = teacher.hiddenSize
        let b = model.batchSize > 0 ? model.batchSize : model.maxBatchSize
        let t = n / b
        let batch = ObjectiveBatch(labels: labels, inputs: tokens)
        var rng = SeededGenerator(seed: 4242)
        switch kind {
        case .ce:
            return Prepared(objective: CrossEntropyObjective(), batch: batch)
        case .kd:
            let configuration = try KDConfiguration(distance: distance, temperature: kdTemperature,
                                                    weighting: kdTemperature == 1 ? .ddk : .interpolated(lambda: 0.5))
            let targets = try syntheticTopK(rows: n, vocabularySize: v, k: topK, temperature: kdTemperature,
                                            secondsPerToken: &selectionSecondsPerToken)
            return Prepared(objective: KnowledgeDistillationObjective(configuration: configuration, usesTopK: true),
                            batch: batch, teacher: TeacherOutputsView(topK: targets))
        case .dskd:
            let hT = normal(n * dT, 1, &rng), wT = normal(v * dT, 0.02, &rng)
            let dskd = try DualSpaceObjective(configuration: DualSpaceConfiguration(distance: distance),
                                              studentWidth: config.hiddenSize, teacherWidth: dT, vocabularySize: v,
                                              teacherHead: wT, seed: 7)
            return Prepared(objective: dskd, batch: batch, teacher: TeacherOutputsView(hiddenStates: hT))
        case .dskdCMA:
            let hT = normal(n * dT, 1, &rng), wT = normal(v * dT, 0.02, &rng), eT = normal(v * dT, 0.02, &rng)
            let cma = try CrossModelAttentionObjective(configuration: DualSpaceConfiguration(distance: distance),
                                                       studentWidth: config.hiddenSize, teacherWidth: dT,
                                                       studentVocabularySize: v, teacherVocabularySize: v,
                                                       teacherHead: wT, teacherEmbeddings: eT, seed: 7)
            let teacherTokens = TeacherTokenIds(sequenceLength: t, inputs: tokens, labels: labels.values)
            return Prepared(objective: cma, batch: batch, teacher: TeacherOutputsView(hiddenStates: hT, tokenIds: teacherTokens))
        }
    }

    /// One warm-up and `steps` timed steps: forward, the objective's loss and gradients,
    /// backward, and (when given) clipping + AdamW as in `ddk bench engine`.
    static func measure(_ prepared: Prepared, name: String, model: LlamaModel, tokens: [Int32], batchSize: Int,
                        sequenceLength: Int, labelCount: Double, steps: Int, optimizer: AdamW?,
                        log: (String) -> Void) throws -> Timing {
        var step = [Double](), stepCPU = [Double](), loss = [Double](), lossCPU = [Double]()
        var timing = Timing()
        for index in 0...steps {
            let c0 = cpuNow(), t0 = now()
            model.zeroGradients()
            try model.forward(tokens: tokens, batchSize: batchSize, sequenceLength: sequenceLength)
            let c1 = cpuNow(), t1 = now()
            let result = try prepared.objective.lossAndGradients(model: model, batch: prepared.batch, teacher: prepared.teacher,
                                                                 computeGradients: true)
            let c2 = cpuNow(), t2 = now()
            try model.backward()
            if let optimizer {
                GradientClipping.clip(model.gradients.buffer, maxNorm: 1)
                optimizer.update(parameters: model.parameters, gradients: model.gradients, learningRate: 1e-4)
            }
            let c3 = cpuNow(), t3 = now()
            timing.meanLoss = result.components["total"] / labelCount
            log("\(name) step \(index): \(fmt(t3 - t0)) s (CPU \(fmt(c3 - c0)) s), loss phase \(fmt(t2 - t1)) s, loss \(fmt(result.lmHeadSum / labelCount))")
            if index > 0 { step.append(t3 - t0); stepCPU.append(c3 - c0); loss.append(t2 - t1); lossCPU.append(c2 - c1) }
        }
        timing.stepSeconds = median(step); timing.stepCPUSeconds = median(stepCPU)
        timing.lossPhaseSeconds = median(loss); timing.lossPhaseCPUSeconds = median(lossCPU)
        return timing
    }

    /// Top-k targets from random teacher logits (N(0, 3²)), built chunk by chunk.
    static func syntheticTopK(rows: Int, vocabularySize v: Int, k: Int, temperature: Float,
                              secondsPerToken: inout Double) throws -> TopKTargets {
        var rng = SeededGenerator(seed: 17)
        let chunk = 256
        var logits = [Float](repeating: 0, count: chunk * v)
        var ids = [Int32](), logProbabilities = [Float](), tail = [Float]()
        var seconds = 0.0
        for start in stride(from: 0, to: rows, by: chunk) {
            let count = min(chunk, rows - start)
            logits.withUnsafeMutableBufferPointer { rng.fillNormal($0, standardDeviation: 3) }
            let t0 = cpuNow()
            let part = try TopKTargets(teacherLogits: logits, rowCount: count, vocabularySize: v, k: k, temperature: temperature)
            seconds += cpuNow() - t0
            ids += part.ids; logProbabilities += part.logProbabilities; tail += part.tailMass
        }
        secondsPerToken = seconds / Double(rows)
        return try TopKTargets(rowCount: rows, k: k, vocabularySize: v, temperature: temperature,
                               ids: ids, logProbabilities: logProbabilities, tailMass: tail)
    }

    static func normal(_ count: Int, _ std: Float, _ rng: inout SeededGenerator) -> [Float] {
        var x = [Float](repeating: 0, count: count)
        x.withUnsafeMutableBufferPointer { rng.fillNormal($0, standardDeviation: std) }
        return x
    }
}
