/// The loss objectives, selected by name in the configuration.
public enum ObjectiveKind: String, CaseIterable, Sendable, Codable {
    /// Next-token cross-entropy (continued pre-training baseline).
    case ce
    /// `(1 − λ)·CE + λ·D(teacher ‖ student)`, or DDK's `CE + γ·D`.
    case kd
    /// Dual-space KD, shared vocabulary.
    case dskd
    /// Dual-space KD with cross-model attention, different vocabularies.
    case dskdCMA = "dskd-cma"

    /// The names accepted in configurations, in declaration order: the one list of them.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// Parses a configuration name (one of `names`).
    public init(name: String) throws {
        guard let kind = ObjectiveKind(rawValue: name) else { throw DistillationError.unknownObjective(name) }
        self = kind
    }

    /// The named loss components of this objective, in reduction order (`total` last).
    public var componentNames: [String] {
        switch self {
        case .ce: ["ce", "total"]
        case .kd: ["ce", "kd", "total"]
        case .dskd: ["ce", "kd_t2s", "ce_t2s", "kd_s2t", "total"]
        case .dskdCMA: ["ce", "kd_t2s", "ce_t2s", "kd_s2t", "t2s_correct", "total"]
        }
    }

    /// Components that are shares of the label tokens, not losses in nats (`t2s_correct`).
    public static let shareComponentNames: Set<String> = ["t2s_correct"]

    /// What the teacher service must send for this objective (`kd` with top-k targets by
    /// default; use `TeacherRequirements.fullLogits` there to send full logits instead).
    public func teacherRequirements(topK: Bool = true) -> TeacherRequirements {
        switch self {
        case .ce: []
        case .kd: topK ? [.topKLogProbabilities] : [.fullLogits]
        case .dskd: [.finalHiddenStates, .headMatrix]
        case .dskdCMA: [.finalHiddenStates, .headMatrix, .embeddings, .tokenIds]
        }
    }
}

/// What the teacher must provide for an objective, so the teacher service sends exactly that.
public struct TeacherRequirements: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Per token: top-k ids, their log-probabilities at τ, and the tail mass (`TopKTargets`).
    public static let topKLogProbabilities = TeacherRequirements(rawValue: 1 << 0)
    /// Per token: all V logits.
    public static let fullLogits = TeacherRequirements(rawValue: 1 << 1)
    /// Per token: the final hidden state after the final norm (dT floats).
    public static let finalHiddenStates = TeacherRequirements(rawValue: 1 << 2)
    /// Once: the teacher's input-embedding table (V_T, dT).
    public static let embeddings = TeacherRequirements(rawValue: 1 << 3)
    /// Once: the teacher's LM-head matrix (V_T, dT).
    public static let headMatrix = TeacherRequirements(rawValue: 1 << 4)
    /// Per sequence: the teacher tokenizer's input ids and labels of the same text.
    public static let tokenIds = TeacherRequirements(rawValue: 1 << 5)

    public var description: String {
        let names: [(TeacherRequirements, String)] = [
            (.topKLogProbabilities, "top-k log-probabilities"), (.fullLogits, "full logits"),
            (.finalHiddenStates, "final hidden states"), (.embeddings, "embeddings"),
            (.headMatrix, "head matrix"), (.tokenIds, "teacher token ids")]
        let present = names.filter { contains($0.0) }.map(\.1)
        return present.isEmpty ? "nothing" : present.joined(separator: ", ")
    }
}

/// Named loss components of one step or chunk, as sums over label tokens (unweighted,
/// before dividing by the label count), so ranks can add them before normalizing.
public struct LossComponents: Sendable, Equatable {
    /// (name, summed value) in a stable order: e.g. `ce`, `kd`, `kd_t2s`, `ce_t2s`, `kd_s2t`, `total`.
    public private(set) var entries: [(name: String, value: Double)] = []

    public init() {}

    /// The summed value of `name` (0 when absent).
    public subscript(name: String) -> Double {
        get { entries.first { $0.name == name }?.value ?? 0 }
        set {
            if let i = entries.firstIndex(where: { $0.name == name }) { entries[i].value = newValue }
            else { entries.append((name, newValue)) }
        }
    }

    /// Adds `value` to `name`.
    public mutating func add(_ name: String, _ value: Double) { self[name] += value }

    /// Component means: every sum divided by `labelTokenCount`.
    public func means(labelTokenCount: Double) -> [(name: String, value: Double)] {
        entries.map { ($0.name, labelTokenCount > 0 ? $0.value / labelTokenCount : 0) }
    }

    public static func == (a: LossComponents, b: LossComponents) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
