import Distillation

/// What the teacher produces for one student's share of one step: exactly what the
/// objective declared (`TeacherRequirements`), nothing more.
///
/// Shapes: N = rows (B_local·T), K = top-k, V = vocabulary, dT = teacher width.
public struct TeacherOutputs {
    /// The training step the outputs belong to.
    public var step: Int
    /// The student they are for.
    public var studentIndex: Int
    /// N.
    public var rows: Int
    /// Top-k ids, log-probabilities at τ and tail mass, for `kd` with `top_k`.
    public var topK: TopKTargets?
    /// (N,V) logits, for `kd` without `top_k`.
    public var fullLogits: [Float]?
    /// (N,dT) final hidden states after the final norm, for `dskd`.
    public var hiddenStates: [Float]?

    public init(step: Int, studentIndex: Int, rows: Int, topK: TopKTargets? = nil, fullLogits: [Float]? = nil,
                hiddenStates: [Float]? = nil) {
        self.step = step
        self.studentIndex = studentIndex
        self.rows = rows
        self.topK = topK
        self.fullLogits = fullLogits
        self.hiddenStates = hiddenStates
    }
}
