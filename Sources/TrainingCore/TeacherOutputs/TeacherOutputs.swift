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
    /// Final hidden states after the final norm: (N,dT) for `dskd`, (NT,dT) at the teacher's
    /// own positions for `dskd-cma`.
    public var hiddenStates: [Float]?
    /// `dskd-cma`: the teacher's tokens of the same text (NT = B_local·TT inputs and labels).
    public var tokenIds: TeacherTokenIds?

    public init(step: Int, studentIndex: Int, rows: Int, topK: TopKTargets? = nil, fullLogits: [Float]? = nil,
                hiddenStates: [Float]? = nil, tokenIds: TeacherTokenIds? = nil) {
        self.step = step
        self.studentIndex = studentIndex
        self.rows = rows
        self.topK = topK
        self.fullLogits = fullLogits
        self.hiddenStates = hiddenStates
        self.tokenIds = tokenIds
    }
}
