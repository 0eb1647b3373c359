// `kd`: cross-entropy plus one distance to the teacher, in one fused pass per row.
//
// Shape legend: N = B·T rows, V = vocabulary, K = top-k count.
//   targets: TopKTargets (N,K)+(N) or full teacher logits (N,V).

import Engine

/// How CE and the distance are weighted in `kd`.
public enum KDWeighting: Sendable, Equatable {
    /// DSKD: `L = (1 − λ)·CE + λ·D` (DSKD scripts: λ = 0.5, τ = 2).
    case interpolated(lambda: Float)
    /// DDK (Eq. 3): `L = CE + γ·D` (γ = 0.2, τ = 1, no τ² factor).
    case additive(gamma: Float)

    /// DDK's own loss: CE + 0.2·FKL at τ = 1 (use with `KDConfiguration.ddk`).
    public static let ddk = KDWeighting.additive(gamma: 0.2)

    /// Weight on CE.
    public var crossEntropyWeight: Float {
        switch self { case .interpolated(let l): 1 - l; case .additive: 1 }
    }
    /// Weight on the distance.
    public var distanceWeight: Float {
        switch self { case .interpolated(let l): l; case .additive(let g): g }
    }
}

/// Settings of `kd`.
public struct KDConfiguration: Sendable, Equatable {
    /// The distance D(teacher ‖ student).
    public var distance: Distance
    /// KD temperature τ on both sides.
    public var temperature: Float
    /// CE/D weighting.
    public var weighting: KDWeighting

    /// A configuration; τ must be positive and λ in [0,1] (γ ≥ 0).
    public init(distance: Distance, temperature: Float, weighting: KDWeighting) throws {
        guard temperature > 0 else { throw DistillationError.invalidParameter("kd temperature", Double(temperature), "must be positive") }
        switch weighting {
        case .interpolated(let l) where !(0...1).contains(l):
            throw DistillationError.invalidParameter("kd lambda", Double(l), "must lie in [0, 1]")
        case .additive(let g) where g < 0:
            throw DistillationError.invalidParameter("kd gamma", Double(g), "must be non-negative")
        default: break
        }
        self.distance = distance; self.temperature = temperature; self.weighting = weighting
    }

    /// DDK: CE + 0.2·FKL, τ = 1.
    public static let ddk = try! KDConfiguration(distance: .forwardKL, temperature: 1, weighting: .ddk)
    /// DSKD-style vanilla KD: 0.5·CE + 0.5·D, τ = 2.
    public static func dskd(distance: Distance) -> KDConfiguration {
        try! KDConfiguration(distance: distance, temperature: 2, weighting: .interpolated(lambda: 0.5))
    }
}

/// The teacher side of `kd` for one step.
public enum TeacherTargets: Sendable {
    /// Top-k ids, log-probabilities at τ and tail mass (the network format).
    case topK(TopKTargets)
    /// Full teacher logits (N,V), row-major.
    case fullLogits([Float])
}

/// `kd`: weighted CE plus D(teacher ‖ student) at temperature τ; components `ce`, `kd`, `total`.
/// Both terms are summed over label tokens and divided by the global label count; padding
/// rows (negative label) contribute nothing and get a zero gradient. CE is at τ = 1.
public final class KnowledgeDistillationObjective: Objective, ChunkedObjective {
    public let kind = ObjectiveKind.kd
    /// The settings.
    public let configuration: KDConfiguration
    /// Whether the teacher sends top-k targets (else full logits).
    public let usesTopK: Bool
    public var teacherRequirements: TeacherRequirements { usesTopK ? .topKLogProbabilities : .fullLogits }
    public private(set) var components = LossComponents()
    private var labels: StepLabels?
    private var targets: TeacherTargets?
    private var vocabularySize = 0
    private let scratch = KernelScratch()

    /// An objective; `usesTopK` selects the teacher format it declares.
    public init(configuration: KDConfiguration, usesTopK: Bool = true) {
        self.configuration = configuration
        self.usesTopK = usesTopK
    }

    /// Sets the labels and teacher targets of the next step and clears the components.
    /// Top-k targets must be taken at this objective's temperature.
    public func beginStep(labels: StepLabels, targets: TeacherTargets, vocabularySize: Int) throws {
        switch targets {
        case .topK(let t):
            guard usesTopK else { throw DistillationError.missingTeacherData("full logits (got top-k targets)") }
            guard t.rowCount == labels.values.count else { throw DistillationError.sizeMismatch("top-k target rows", expected: labels.values.count, got: t.rowCount) }
            guard t.vocabularySize == vocabularySize else { throw DistillationError.sizeMismatch("top-k target vocabulary", expected: vocabularySize, got: t.vocabularySize) }
            guard t.temperature == configuration.temperature else {
                throw DistillationError.invalidParameter("top-k target temperature", Double(t.temperature), "must equal the kd temperature \(configuration.temperature)")
            }
        case .fullLogits(let values):
            guard !usesTopK else { throw DistillationError.missingTeacherData("top-k targets (got full logits)") }
            guard values.count == labels.values.count * vocabularySize else { throw DistillationError.sizeMismatch("teacher logits", expected: labels.values.count * vocabularySize, got: values.count) }
        }
        self.labels = labels
        self.targets = targets
        self.vocabularySize = vocabularySize
        components = LossComponents()
        for name in kind.componentNames { components[name] = 0 }
    }

    /// One step on `model`'s last forward pass with the teacher's top-k targets (when
    /// present) or full logits.
    public func lossAndGradients(model: LlamaModel, batch: ObjectiveBatch, teacher: TeacherOutputsView?,
                                 computeGradients: Bool = true) throws -> ObjectiveResult {
        let targets: TeacherTargets
        if let topK = teacher?.topK {
            targets = .topK(topK)
        } else if let logits = teacher?.fullLogits {
            targets = .fullLogits(logits)
        } else {
            throw DistillationError.missingTeacherData("top-k targets or logits")
        }
        try beginStep(labels: batch.labels, targets: targets, vocabularySize: model.config.vocabularySize)
        let sum = try runLMHead(of: model, computeGradients: computeGradients)
        return ObjectiveResult(components: components, lmHeadSum: sum)
    }

    public func lossAndGradient(rowStart: Int, rowCount: Int, logits: UnsafeMutablePointer<Float>, vocabularySize: Int) -> Double {
        guard let labels, let targets else { preconditionFailure("KnowledgeDistillationObjective: beginStep was not called") }
        precondition(vocabularySize == self.vocabularySize, "KnowledgeDistillationObjective: chunk vocabulary \(vocabularySize) differs from the step's \(self.vocabularySize)")
        let scale = Float(1 / labels.globalLabelTokenCount)
        let wCE = configuration.weighting.crossEntropyWeight, wD = configuration.weighting.distanceWeight
        let studentScale = 1 / configuration.temperature
        let distance = configuration.distance
        var ce = 0.0, kd = 0.0
        for r in 0..<rowCount {
            let row = logits + r * vocabularySize
            let label = Int(labels.values[rowStart + r])
            if label < 0 { row.update(repeating: 0, count: vocabularySize); continue }
            let gradient = RowGradient(row, accumulate: false)
            let losses: RowLosses
            switch targets {
            case .topK(let t):
                losses = distance.topKRow(z: row, count: vocabularySize, targets: t, targetRow: rowStart + r,
                                          studentScale: studentScale, label: label,
                                          crossEntropyWeight: wCE * scale, distanceWeight: wD * scale,
                                          gradient: gradient, scratch: scratch)
            case .fullLogits(let values):
                losses = values.withUnsafeBufferPointer { teacher in
                    distance.fullRow(z: row, t: teacher.baseAddress! + (rowStart + r) * vocabularySize, count: vocabularySize,
                                     studentScale: studentScale, teacherScale: studentScale, label: label,
                                     crossEntropyWeight: wCE * scale, distanceWeight: wD * scale,
                                     gradient: gradient, teacherGradient: nil, scratch: scratch)
                }
            }
            ce += losses.crossEntropy; kd += losses.distance
        }
        let total = Double(wCE) * ce + Double(wD) * kd
        components.add("ce", ce); components.add("kd", kd); components.add("total", total)
        return total
    }
}
