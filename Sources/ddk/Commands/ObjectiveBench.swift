import Distillation
import Engine
import Foundation

/// Shared by `ddk bench losses` and `ddk bench engine --objective`: sets up an objective
/// on the reference student with synthetic teacher data of the teacher's shape (speed
/// only) and times full training steps under it.
enum ObjectiveBench {
    /// An objective with the calls a training step makes around the chunked LM head.
    struct Prepared {
        var objective: any ChunkedObjective & ChunkedLogitsLoss
        var begin: () throws -> Void
        var addHiddenGradient: () -> Void = {}
        var finish: () -> Void = {}
    }

    /// Medians over the timed steps.
    struct Timing {
        var stepSeconds = 0.0, stepCPUSeconds = 0.0, lossPhaseSeconds = 0.0, lossPhaseCPUSeconds = 0.0, meanLoss = 0.0
    }

    /// Builds `kind` for `model` (batch tokens, labels); kd gets top-k targets at `kdTemperature`
    /// (DDK's weighting CE + 0.2·D at τ = 1, else DSKD's 0.5·CE + 0.5·D), the dual-space
    /// objectives a teacher of SmolLM2's width.
    static func prepare(_ kind: ObjectiveKind, model: LlamaModel, tokens: [Int32], labels: StepLabels,
                        distance: Distance, topK: Int, kdTemperature: Float = 1,
                        selectionSecondsPerToken: inout Double) throws -> Prepared {
        let config = model.config, teacher = LlamaConfig.smolLM2_135M
        let n = tokens.count, v = config.vocabularySize, dT = teacher.hiddenSize
        let b = model.batchSize > 0 ? model.batchSize : model.maxBatchSize
        let t = n / b
        var rng = SeededGenerator(seed: 4242)
        switch kind {
        case .ce:
            let ce = CrossEntropyObjective()
            return Prepared(objective: ce, begin: { ce.beginStep(labels: labels) })
        case .kd:
            let configuration = try KDConfiguration(distance: distance, temperature: kdTemperature,
                                                    weighting: kdTemperature == 1 ? .ddk : .interpolated(lambda: 0.5))
            let targets = try syntheticTopK(rows: n, vocabularySize: v, k: topK, temperature: kdTemperature,
                                            secondsPerToken: &selectionSecondsPerToken)
            let kd = KnowledgeDistillationObjective(configuration: configuration, usesTopK: true)
            return Prepared(objective: kd, begin: { try kd.beginStep(labels: labels, targets: .topK(targets), vocabularySize: v) })
        case .dskd:
            let hT = normal(n * dT, 1, &rng), wT = normal(v * dT, 0.02, &rng)
            let dskd = try DualSpaceObjective(configuration: DualSpaceConfiguration(distance: distance),
                                              studentWidth: config.hiddenSize, teacherWidth: dT, vocabularySize: v,
                                              teacherHead: wT, seed: 7)
            return Prepared(objective: dskd, begin: {
                dskd.projectors.zeroGradients()
                try dskd.beginStep(labels: labels, studentHidden: model.hiddenStates.baseAddress!, teacherHidden: hT,
                                   studentHead: model.lmHeadWeight.baseAddress!)
            }, addHiddenGradient: { dskd.addStudentHiddenGradient(into: model.hiddenGradient.baseAddress!) },
               finish: { dskd.finishStep() })
        case .dskdCMA:
            let hT = normal(n * dT, 1, &rng), wT = normal(v * dT, 0.02, &rng), eT = normal(v * dT, 0.02, &rng)
            let cma = try CrossModelAttentionObjective(configuration: DualSpaceConfiguration(distance: distance),
                                                       studentWidth: config.hiddenSize, teacherWidth: dT,
                                                       studentVocabularySize: v, teacherVocabularySize: v,
                                                       teacherHead: wT, teacherEmbeddings: eT, seed: 7)
            let batch = try CrossModelBatch(sequenceCount: b, studentLength: t, teacherLength: t,
                                            studentInputs: tokens, studentLabels: labels,
                                            teacherInputs: tokens, teacherLabels: labels.values,
                                            studentVocabularySize: v, teacherVocabularySize: v)
            let embeddings = try model.parameter(named: "model.embed_tokens.weight").baseAddress!
            return Prepared(objective: cma, begin: {
                cma.projectors.zeroGradients()
                try cma.beginStep(batch: batch, studentHidden: model.hiddenStates.baseAddress!, teacherHidden: hT,
                                  studentEmbeddings: embeddings, studentHead: model.lmHeadWeight.baseAddress!)
            }, addHiddenGradient: { cma.addStudentHiddenGradient(into: model.hiddenGradient.baseAddress!) },
               finish: { cma.finishStep() })
        }
    }

    /// One warm-up and `steps` timed steps: forward, objective around the chunked LM head,
    /// backward, and (when given) clipping + AdamW as in `ddk bench engine`.
    static func measure(_ prepared: Prepared, name: String, model: LlamaModel, tokens: [Int32], batchSize: Int,
                        sequenceLength: Int, labelCount: Double, steps: Int, optimizer: AdamW?,
                        log: (String) -> Void) throws -> Timing {
        var prepared = prepared
        var step = [Double](), stepCPU = [Double](), loss = [Double](), lossCPU = [Double]()
        var timing = Timing()
        for index in 0...steps {
            let c0 = cpuNow(), t0 = now()
            model.zeroGradients()
            try model.forward(tokens: tokens, batchSize: batchSize, sequenceLength: sequenceLength)
            let c1 = cpuNow(), t1 = now()
            try prepared.begin()
            let sum = try model.lmHeadLoss(&prepared.objective)
            prepared.addHiddenGradient()
            prepared.finish()
            let c2 = cpuNow(), t2 = now()
            try model.backward()
            if let optimizer {
                GradientClipping.clip(model.gradients.buffer, maxNorm: 1)
                optimizer.update(parameters: model.parameters, gradients: model.gradients, learningRate: 1e-4)
            }
            let c3 = cpuNow(), t3 = now()
            timing.meanLoss = prepared.objective.components["total"] / labelCount
            log("\(name) step \(index): \(fmt(t3 - t0)) s (CPU \(fmt(c3 - c0)) s), loss phase \(fmt(t2 - t1)) s, loss \(fmt(sum / labelCount))")
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

    static func median(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.sorted()[x.count / 2] }
}
