// The one step-level contract of the four objectives (`ce`, `kd`, `dskd`, `dskd-cma`):
// after the student's forward pass, one call runs the chunked LM head under the loss and
// leaves ∂loss/∂(head, hidden) in the model and the objective's own gradients (the
// dual-space projectors) in the objective. The trainer and the benchmarks call only this;
// the per-chunk contract underneath is `ChunkedObjective`.

import Engine

/// A training loss over the student's LM head.
public protocol Objective: AnyObject {
    /// Which objective this is (its name, component names).
    var kind: ObjectiveKind { get }
    /// What the teacher service must send for this objective.
    var teacherRequirements: TeacherRequirements { get }
    /// Runs the LM head of `model` (after its forward pass on `batch`) under this loss:
    /// ∂loss/∂(head, hidden) go into the model unless `computeGradients` is false; the
    /// objective's own parameter gradients (projectors) are zeroed and refilled.
    func lossAndGradients(model: LlamaModel, batch: ObjectiveBatch, teacher: TeacherOutputsView?,
                          computeGradients: Bool) throws -> ObjectiveResult
}

extension Objective {
    /// Component names in reduction order.
    public var componentNames: [String] { kind.componentNames }
}

/// The student's side of one step as an objective reads it.
public struct ObjectiveBatch: Sendable {
    /// Labels with the padding mask and the global label count.
    public let labels: StepLabels
    /// (N) student input ids; only `dskd-cma` reads them (its attention queries embed them).
    public let inputs: [Int32]

    public init(labels: StepLabels, inputs: [Int32] = []) {
        self.labels = labels
        self.inputs = inputs
    }
}

/// What one `lossAndGradients` call measured.
public struct ObjectiveResult: Sendable {
    /// Named sums over this rank's label tokens (before dividing by the label count).
    public var components: LossComponents
    /// What the chunked LM head summed (without terms computed outside it, e.g. `kd_s2t`).
    public var lmHeadSum: Double
}
