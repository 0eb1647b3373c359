import Distillation
import Engine
import Foundation

/// One student rank's model and optimizer, and the data-parallel training step:
///
///     forward (B_local,T) → chunked LM head with the objective (teacher targets)
///     → backward → gradient sum over the students (buckets) → clip → AdamW
///
/// The loss is divided by the label count of the GLOBAL batch on every student, so the
/// summed gradient is the gradient of the mean loss over the whole batch (docs/ALGORITHMS.md
/// §2), and every student applies the same update to the same weights.
public final class StudentTrainer {
    public let model: LlamaModel
    public let optimizer: AdamW
    public let schedule: LearningRateSchedule
    public let objective: StudentObjective
    /// Nil on the only student.
    let gradientSummation: GradientSummation?
    let gradientClip: Double
    /// Label tokens of the global batch: B·T.
    public let globalLabelCount: Double
    /// When set, the summed gradient of step 0 (before clipping) is kept in `firstSummedGradient`.
    public var keepsSummedGradient = false
    public private(set) var firstSummedGradient: [Float]?

    /// What one step measured on this student.
    public struct StepFigures {
        /// Summed loss components over this student's label tokens (objective order).
        public var componentSums: [Double]
        /// Norm of the summed gradient before clipping (the same on every student).
        public var gradientNorm: Double
        public var learningRate: Double
        public var teacherWaitSeconds: Double
        public var allreduceSeconds: Double
        public var stepSeconds: Double
    }

    public init(model: LlamaModel, objective: StudentObjective, optimizer settings: OptimizerSettings,
                totalSteps: Int, gradientSummation: GradientSummation?, globalLabelCount: Int) {
        self.model = model
        self.objective = objective
        optimizer = AdamW(layout: model.layout, settings: AdamW.Settings(
            beta1: Float(settings.beta1), beta2: Float(settings.beta2), epsilon: Float(settings.epsilon),
            weightDecay: Float(settings.weightDecay)))
        schedule = settings.schedule(totalSteps: totalSteps)
        gradientClip = settings.gradientClip
        self.gradientSummation = gradientSummation
        self.globalLabelCount = Double(globalLabelCount)
    }

    /// One data-parallel step on this student's share `batch`.
    public func train(step: Int, batch: SequenceBatch, teacher: TeacherChannel?) throws -> StepFigures {
        let started = Date()
        var teacherOutputs: TeacherOutputs?
        var teacherWait = 0.0
        if objective.needsTeacher {
            guard let teacher else { throw TeacherProtocolError(teacherRank: -1, step: step, problem: "this student has no teacher") }
            let waitStarted = Date()
            teacherOutputs = try teacher.outputs(step: step, batch: batch)
            teacherWait = Date().timeIntervalSince(waitStarted)
        }
        model.zeroGradients()
        try model.forward(tokens: batch.inputs, batchSize: batch.batchSize, sequenceLength: batch.sequenceLength)
        let labels = try StepLabels(batch.labels, globalLabelTokenCount: globalLabelCount,
                                    vocabularySize: model.config.vocabularySize)
        let sums = try objective.lossAndGradients(model: model, inputs: batch.inputs, labels: labels, teacher: teacherOutputs)
        try model.backward(gradientsFinal: gradientSummation.map { summation in { summation.gradientsFinal(from: $0) } })
        var allreduceSeconds = try gradientSummation?.sumGradients(purpose: "gradient all-reduce at step \(step)") ?? 0
        if let projectors = objective.dualSpace?.projectors {
            allreduceSeconds += try gradientSummation?.sum(&projectors.gradients, purpose: "projector gradient all-reduce at step \(step)") ?? 0
        }
        if keepsSummedGradient && step == 0 { firstSummedGradient = model.gradients.toArray() }
        let norm = gradientClip > 0
            ? GradientClipping.clip(model.gradients.buffer, maxNorm: gradientClip)
            : GradientClipping.globalNorm(UnsafeBufferPointer(model.gradients.buffer))
        let learningRate = schedule.learningRate(step: step)
        optimizer.update(parameters: model.parameters, gradients: model.gradients, learningRate: Float(learningRate))
        objective.updateProjectors()
        return StepFigures(componentSums: sums, gradientNorm: norm, learningRate: learningRate,
                           teacherWaitSeconds: teacherWait, allreduceSeconds: allreduceSeconds,
                           stepSeconds: Date().timeIntervalSince(started))
    }

    /// Summed next-token cross-entropy (nats) and label count of the student on `batch`
    /// (no gradient).
    public func crossEntropy(on batch: SequenceBatch) throws -> (sum: Double, count: Int) {
        try model.forward(tokens: batch.inputs, batchSize: batch.batchSize, sequenceLength: batch.sequenceLength)
        let V = model.config.vocabularySize
        var loss = try CrossEntropyLoss(targets: batch.labels, vocabularySize: V)
        try model.lmHeadLoss(&loss, computeGradients: false)
        return (loss.lossSum, loss.labelCount)
    }

    /// A hash of the exact bits of the student model's weights alone (not the objective's
    /// projectors): what identifies the student a run started from.
    public func modelWeightsChecksum() -> UInt64 { hashingModelWeights().value }

    /// A hash of the exact bits of every weight (equal on every student after every step).
    public func weightChecksum() -> UInt64 {
        var hash = hashingModelWeights()
        objective.dualSpace?.projectors.parameters.withUnsafeBufferPointer { hash.combine(floats: $0) }
        return hash.value
    }

    /// A hash fed with the model's weights, in buffer order.
    private func hashingModelWeights() -> ContentHash {
        var hash = ContentHash()
        hash.combine(floats: UnsafeBufferPointer(model.parameters.buffer))
        return hash
    }
}
