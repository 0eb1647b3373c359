import Distillation
import Engine

/// The training loss of the students, built from the config's `[objective]`, with what it
/// needs from the teacher and the fixed order of its named components (every student
/// reduces them in that order).
public final class StudentObjective {
    /// The loss; for `dskd` and `dskd-cma` built by `prepareDualSpace` once the teacher's
    /// head matrix (and embeddings) are at hand.
    var objective: (any Objective)?
    /// `dskd`'s and `dskd-cma`'s settings until `prepareDualSpace` builds the objective.
    let pendingDualSpace: DualSpaceConfiguration?
    /// The `dskd` or `dskd-cma` objective with its projectors, and their optimizer.
    public private(set) var dualSpace: (any DualSpaceDistillation)?
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
        case .dskd, .dskdCMA:
            let configuration = try Self.dualSpaceConfiguration(section)
            pendingDualSpace = configuration
            temperature = configuration.temperature
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
            throw UnsupportedObjectiveError(name: "\(section.name) with objective.kd_weight: \(section.name) weighs its terms by objective.lambda (default 0.5); remove kd_weight")
        }
        if section.topK != nil {
            throw UnsupportedObjectiveError(name: "\(section.name) with objective.top_k: \(section.name) uses the teacher's hidden states, not top-k targets; remove top_k")
        }
        return try DualSpaceConfiguration(
            distance: try Distance(name: section.distance ?? "fkl", skew: Float(section.skew ?? Double(Distance.defaultSkew))),
            temperature: Float(section.temperature ?? 2), lambda: Float(section.lambda ?? 0.5),
            projectorLearningRate: Float(section.projectorLearningRate ?? 1e-3))
    }

    /// The teacher's matrices a dual-space objective reads, (V_T,dT) each; for a teacher
    /// with tied embeddings both are one array (Swift arrays share storage when copied).
    public struct TeacherMatrices {
        public var head: [Float]
        /// `dskd-cma` only: the input-embedding table.
        public var embeddings: [Float]?
        public var width: Int, vocabularySize: Int
        public init(head: [Float], embeddings: [Float]?, width: Int, vocabularySize: Int) {
            self.head = head
            self.embeddings = embeddings
            self.width = width
            self.vocabularySize = vocabularySize
        }
    }

    /// `dskd` and `dskd-cma` only: builds the dual-space objective (projectors seeded alike on
    /// every student) from the teacher's LM-head matrix (and, for `dskd-cma`, embeddings).
    public func prepareDualSpace(studentWidth: Int, studentVocabularySize: Int, teacher: TeacherMatrices,
                                 seed: UInt64, weightDecay: Double) throws {
        guard let configuration = pendingDualSpace else { return }
        let objective: any DualSpaceDistillation
        if kind == .dskdCMA {
            guard let embeddings = teacher.embeddings else { throw UnsupportedObjectiveError(name: "dskd-cma: the teacher's embeddings were not loaded") }
            objective = try CrossModelAttentionObjective(
                configuration: configuration, studentWidth: studentWidth, teacherWidth: teacher.width,
                studentVocabularySize: studentVocabularySize, teacherVocabularySize: teacher.vocabularySize,
                teacherHead: teacher.head, teacherEmbeddings: embeddings, seed: seed)
        } else {
            objective = try DualSpaceObjective(configuration: configuration, studentWidth: studentWidth, teacherWidth: teacher.width,
                                               vocabularySize: teacher.vocabularySize, teacherHead: teacher.head, seed: seed)
        }
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
    func lossAndGradients(model: LlamaModel, inputs: [Int32], labels: StepLabels, teacher: TeacherOutputs?,
                          computeGradients: Bool = true) throws -> [Double] {
        guard let objective else {
            throw UnsupportedObjectiveError(name: "\(kind.rawValue) (the teacher head matrix was not loaded on this student)")
        }
        if needsTeacher && teacher == nil {
            throw TeacherProtocolError(teacherRank: -1, step: -1, problem: "\(kind.rawValue) needs teacher outputs")
        }
        let result: ObjectiveResult
        do {
            result = try objective.lossAndGradients(model: model, batch: ObjectiveBatch(labels: labels, inputs: inputs),
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
        self.init(topK: outputs.topK, fullLogits: outputs.fullLogits, hiddenStates: outputs.hiddenStates,
                  tokenIds: outputs.tokenIds)
    }
}

/// An objective the runtime does not run yet.
public struct UnsupportedObjectiveError: Error, CustomStringConvertible {
    public var name: String
    public var description: String {
        if name.contains(":") { return "objective: " + name }
        return "objective.name \"\(name)\": the distributed runtime runs " + ObjectiveKind.names.map { "\"\($0)\"" }.joined(separator: ", ")
    }
}
