import Distillation
import Engine

/// The training loss of the students, built from the config's `[objective]`, with what it
/// needs from the teacher and the fixed order of its named components (every student
/// reduces them in that order).
public final class StudentObjective {
    enum Loss {
        case crossEntropy(CrossEntropyObjective)
        case knowledgeDistillation(KnowledgeDistillationObjective)
    }

    let loss: Loss
    public let kind: ObjectiveKind
    /// What the teacher must send per token.
    public let requirements: TeacherRequirements
    /// K of the top-k targets (0 when not used).
    public let topK: Int
    /// τ at which the teacher's top-k log-probabilities are taken.
    public let temperature: Float
    /// Component names in reduction order.
    public let componentNames: [String]

    /// Builds the objective: `ce`, or `kd` (distance, τ, `kd_weight` γ as `CE + γ·D` or
    /// `lambda` as `(1−λ)·CE + λ·D`; default DDK's γ = 0.2, τ = 1, fkl), with top-k targets
    /// when `top_k` is given, else full teacher logits.
    public init(section: DistillConfig.ObjectiveSection) throws {
        kind = try ObjectiveKind(name: section.name)
        switch kind {
        case .ce:
            loss = .crossEntropy(CrossEntropyObjective())
            requirements = []
            topK = 0
            temperature = 1
            componentNames = ["ce", "total"]
        case .kd:
            let distance = try Distance(name: section.distance ?? "fkl", skew: Float(section.skew ?? Double(Distance.defaultSkew)))
            let weighting: KDWeighting
            if let lambda = section.lambda {
                weighting = .interpolated(lambda: Float(lambda))
            } else {
                weighting = .additive(gamma: Float(section.kdWeight ?? 0.2))
            }
            temperature = Float(section.temperature ?? 1)
            let configuration = try KDConfiguration(distance: distance, temperature: temperature, weighting: weighting)
            let usesTopK = section.topK != nil
            let objective = KnowledgeDistillationObjective(configuration: configuration, usesTopK: usesTopK)
            loss = .knowledgeDistillation(objective)
            requirements = objective.teacherRequirements
            topK = section.topK ?? 0
            componentNames = ["ce", "kd", "total"]
        case .dskd, .dskdCMA:
            throw UnsupportedObjectiveError(name: section.name)
        }
    }

    /// Whether the students need a teacher during training.
    public var needsTeacher: Bool { !requirements.isEmpty }

    /// Runs the LM head with this loss on the model's last forward pass, leaving
    /// ∂loss/∂(head, hidden) in the model; returns the summed components (in
    /// `componentNames` order) over this student's label tokens.
    func lossAndGradients(model: LlamaModel, labels: StepLabels, teacher: TeacherOutputs?,
                          computeGradients: Bool = true) throws -> [Double] {
        let components: LossComponents
        switch loss {
        case .crossEntropy(let objective):
            objective.beginStep(labels: labels)
            var chunked = objective
            try model.lmHeadLoss(&chunked, computeGradients: computeGradients)
            components = objective.components
        case .knowledgeDistillation(let objective):
            guard let teacher else { throw TeacherProtocolError(teacherRank: -1, step: -1, problem: "kd needs teacher outputs") }
            let targets: TeacherTargets
            if let topK = teacher.topK {
                targets = .topK(topK)
            } else if let logits = teacher.fullLogits {
                targets = .fullLogits(logits)
            } else {
                throw TeacherProtocolError(teacherRank: -1, step: teacher.step, problem: "the teacher sent neither top-k targets nor logits")
            }
            try objective.beginStep(labels: labels, targets: targets, vocabularySize: model.config.vocabularySize)
            var chunked = objective
            try model.lmHeadLoss(&chunked, computeGradients: computeGradients)
            components = objective.components
        }
        return componentNames.map { components[$0] }
    }
}

/// An objective the runtime does not run yet.
public struct UnsupportedObjectiveError: Error, CustomStringConvertible {
    public var name: String
    public var description: String {
        "objective.name \"\(name)\": the distributed runtime runs \"ce\" and \"kd\" so far; "
            + "the dskd objectives exist in the Distillation module but are not wired into `ddk distill` yet"
    }
}
