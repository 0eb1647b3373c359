import Distillation
import Engine

/// The training loss of the students, built from the config's `[objective]`, with what it
/// needs from the teacher and the fixed order of its named components (every student
/// reduces them in that order).
public final class StudentObjective {
    enum Loss {
        case crossEntropy(CrossEntropyObjective)
        case knowledgeDistillation(KnowledgeDistillationObjective)
        /// `dskd`: built by `prepareDualSpace` once the teacher's head matrix is at hand.
        case dualSpace(DualSpaceConfiguration)
    }

    var loss: Loss
    /// The `dskd` objective with its projectors, and their optimizer.
    public private(set) var dualSpace: DualSpaceObjective?
    var projectorOptimizer: ProjectorOptimizer?
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
        case .dskd:
            if section.kdWeight != nil {
                throw UnsupportedObjectiveError(name: "dskd with objective.kd_weight: dskd weighs its terms by objective.lambda (default 0.5); remove kd_weight")
            }
            if section.topK != nil {
                throw UnsupportedObjectiveError(name: "dskd with objective.top_k: dskd uses the teacher's hidden states, not top-k targets; remove top_k")
            }
            temperature = Float(section.temperature ?? 2)
            let configuration = try DualSpaceConfiguration(
                distance: try Distance(name: section.distance ?? "fkl", skew: Float(section.skew ?? Double(Distance.defaultSkew))),
                temperature: temperature, lambda: Float(section.lambda ?? 0.5),
                projectorLearningRate: Float(section.projectorLearningRate ?? 1e-3))
            loss = .dualSpace(configuration)
            requirements = ObjectiveKind.dskd.teacherRequirements()
            topK = 0
            componentNames = ["ce", "kd_t2s", "ce_t2s", "kd_s2t", "total"]
        case .dskdCMA:
            throw UnsupportedObjectiveError(name: section.name)
        }
    }

    /// `dskd` only: builds the dual-space objective (projectors seeded alike on every
    /// student) from the teacher's LM-head matrix (V,dT).
    public func prepareDualSpace(studentWidth: Int, teacherWidth: Int, vocabularySize: Int, teacherHead: [Float],
                                 seed: UInt64, weightDecay: Double) throws {
        guard case .dualSpace(let configuration) = loss else { return }
        let objective = try DualSpaceObjective(configuration: configuration, studentWidth: studentWidth, teacherWidth: teacherWidth,
                                               vocabularySize: vocabularySize, teacherHead: teacherHead, seed: seed)
        dualSpace = objective
        projectorOptimizer = ProjectorOptimizer(for: objective.projectors, weightDecay: Float(weightDecay))
    }

    /// `dskd` only: one AdamW step of the projectors from their (summed) gradients.
    func updateProjectors() {
        guard let dualSpace else { return }
        projectorOptimizer?.update(dualSpace.projectors)
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
        case .dualSpace:
            guard let objective = dualSpace else {
                throw UnsupportedObjectiveError(name: "dskd (the teacher head matrix was not loaded on this student)")
            }
            guard let hidden = teacher?.hiddenStates else {
                throw TeacherProtocolError(teacherRank: -1, step: teacher?.step ?? -1, problem: "dskd needs the teacher's hidden states")
            }
            objective.projectors.zeroGradients()
            try objective.beginStep(labels: labels, studentHidden: UnsafePointer(model.hiddenStates.baseAddress!),
                                    teacherHidden: hidden, studentHead: UnsafePointer(model.lmHeadWeight.baseAddress!))
            var chunked = objective
            try model.lmHeadLoss(&chunked, computeGradients: computeGradients)
            if computeGradients { objective.addStudentHiddenGradient(into: model.hiddenGradient.baseAddress!) }
            components = objective.finishStep()
        }
        return componentNames.map { components[$0] }
    }
}

/// An objective the runtime does not run yet.
public struct UnsupportedObjectiveError: Error, CustomStringConvertible {
    public var name: String
    public var description: String {
        if name.contains(":") { return "objective: " + name }
        return "objective.name \"\(name)\": the distributed runtime runs \"ce\", \"kd\" and \"dskd\"; "
            + "dskd-cma (different vocabularies, teacher token ids per sequence) exists in the Distillation module but is not wired into `ddk distill` yet"
    }
}
