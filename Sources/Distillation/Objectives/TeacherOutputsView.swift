/// What the teacher sent for one step, as the objectives read it: the fields the objective
/// declared in `TeacherRequirements` are present (per token or per sequence; the once-only
/// head matrix and embeddings are given to the objective when it is built).
///
/// Shapes: N = student rows (B·T), K = top-k, V = vocabulary, dT = teacher width, NT = B·TT.
public struct TeacherOutputsView {
    /// `kd` with top-k targets: ids, log-probabilities at τ and tail mass.
    public var topK: TopKTargets?
    /// `kd` with full logits: (N,V).
    public var fullLogits: [Float]?
    /// `dskd` (N,dT), `dskd-cma` (NT,dT): final hidden states after the final norm.
    public var hiddenStates: [Float]?
    /// `dskd-cma`: the teacher tokenizer's ids of the same sequences.
    public var tokenIds: TeacherTokenIds?

    public init(topK: TopKTargets? = nil, fullLogits: [Float]? = nil, hiddenStates: [Float]? = nil,
                tokenIds: TeacherTokenIds? = nil) {
        self.topK = topK
        self.fullLogits = fullLogits
        self.hiddenStates = hiddenStates
        self.tokenIds = tokenIds
    }
}

/// The teacher tokenization of a step's sequences (`dskd-cma`).
public struct TeacherTokenIds: Sendable {
    /// TT: teacher positions per sequence.
    public let sequenceLength: Int
    /// (NT) input ids and (NT) labels (negative = padding).
    public let inputs: [Int32], labels: [Int32]

    public init(sequenceLength: Int, inputs: [Int32], labels: [Int32]) {
        self.sequenceLength = sequenceLength
        self.inputs = inputs
        self.labels = labels
    }
}
