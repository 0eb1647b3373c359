import Distillation
import Engine

/// The training loss of the students, built from the config's `[objective]`, with what it
/// needs from the teacher and the fixed order of its named components (every student
/// reduces them in that order).
public final class StudentObjective {
    /// The loss; for `dskd` built by `prepareDualSpace` once the teacher's head matrix is at hand.
    var objective: (any Objective)?
    /// `dskd`'s settings until `prepareDualSpace` builds it.
    let pendingDualSpace: DualSpaceConfiguration?
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
    public var componentNames: [String] { kind.componentNames }

    /// Builds the objective: `ce`, or `kd` (distance, τ, `kd_weight` γ as `CE + γ·D` or
    /// `lambda` as `(1−λ)·CE + λ·D`; default DDK's γ = 0.2, τ = 1, fkl), with top-k targets
    /// when `top_k` is given, else full teacher logits, or `dskd` (τ = 2, λ = 0.5 by default).
    /// The one place that maps a config to an objective.
    public init(section: DistillConfig.ObjectiveSection) throws {
        kind = try ObjectiveKind(name: section.name)
        topK = kind == .kd ? section.topK ?? 0 : 0
        switch kind {
        case .ce:
            objective = CrossEntropyObjective()
            pendingDualSpace = nil
            temperature = 1
        case .kd:
            let knowledgeDistillation = try Self.knowledgeDistillation(section)
            objective = knowledgeDistillation
            pendingDualSpace = nil
            temperature = knowledgeDistillation.configuration.temperature
        case .dskd:
            let configuration = try Self.dualSpaceConfiguration(section)
            pendingDualSpace = configuration
            temperature = configuration.temperature
        case .dskdCMA:
            throw UnsupportedObjectiveError(name: section.name)
        }
        requirements = objective?.teacherRequirements ?? kind.teacherRequirements()
    }

    static func knowledgeDistillation(_ section: DistillConfig.ObjectiveSection) throws -> KnowledgeDistillationObjective {
        let distance = try Distance(name: section.distance ?? "fkl", skew: Float(section.skew ?? Double(Distance.defaultSkew)))
        let weighting: KDWeighting
        if let lambda = section.lambda {
            weighting = .interpolated(lambda: Float(lambda))
        } else {
            weighting = .additive(gamma: Float(section.kdWeight ?? 0.2))
        }
        let configuration = try KDConfiguration(distance: distance, temperature: Float(section.temperature ?? 1), weighting: weighting)
        return KnowledgeDistillationObjective(configuration: configuration, usesTopK: section.topK != nil)
    }

    static func dualSpaceConfiguration(_ section: DistillConfig.ObjectiveSection) throws -> DualSpaceConfiguration {
        if section.kdWeight != nil {
            throw UnsupportedObjectiveError(name: "dskd with objective.kd_weight: dskd weighs its terms by objective.lambda (default 0.5); remove kd_weight")
        }
        if section.topK != nil {
            throw UnsupportedObjectiveError(name: "dskd with objective.top_k: dskd uses the teacher's hidden states, not top-k targets; remove top_k")
        }
        return try DualSpaceConfiguration(
            distance: try Distance(name: section.distance ?? "fkl", skew: Float(section.skew ?? Double(Distance.defaultSkew))),
            temperature: Float(section.temperature ?? 2), lambda: Float(section.lambda ?? 0.5),
            projectorLearningRate: Float(section.projectorLearningRate ?? 1e-3))
    }

    /// `dskd` only: builds the dual-space objective (projectors seeded alike on every
    /// student) from the teacher's LM-head matrix (V,dT).
    public func prepareDualSpace(studentWidth: Int, teacherWidth: Int, vocabularySize: Int, teacherHead: [Float],
                                 seed: UInt64, weightDecay: Double) throws {
        guard let configuration = pendingDualSpace else { return }
        let objective = try DualSpaceObjective(configuration: configuration, studentWidth: studentWidth, teacherWidth: teacherWidth,
                                               vocabularySize: vocabularySize, teacherHead: teacherHead, seed: seed)
        self.objective = objective
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
        guard let objective else {
            throw UnsupportedObjectiveError(name: "\(kind.rawValue) (the teacher head matrix was not loaded on this student)")
        }
        if needsTeacher && teacher == nil {
            throw TeacherProtocolError(teacherRank: -1, step: -1, problem: "\(kind.rawValue) needs teacher outputs")
        }
        let result: ObjectiveResult
        do {
            result = try objective.lossAndGradients(model: model, batch: ObjectiveBatch(labels: labels),
                                                    teacher: teacher.map(TeacherOutputsView.init),
                                                    computeGradients: computeGradients)
        } catch DistillationError.missingTeacherData(let what) {
            throw TeacherProtocolError(teacherRank: -1, step: teacher?.step ?? -1, problem: "the teacher sent no \(what)")
        }
        return componentNames.map { result.components[$0] }
    }
}

extension TeacherOutputsView {
    /// The per-token payloads of a teacher message, as the objectives read them.
    init(_ outputs: TeacherOutputs) {
        self.init(topK: outputs.topK, fullLogits: outputs.fullLogits, hiddenStates: outputs.hiddenStates)
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
