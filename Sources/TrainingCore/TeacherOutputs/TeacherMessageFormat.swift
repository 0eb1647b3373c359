import Distillation

/// The wire format of one teacher message: a header naming the step and student, then
/// the payload the objective needs, all as 32-bit words (ids as integers, values as
/// float bit patterns), so one receive of a known maximal size takes any message.
///
///     header (9 words)   magic, step, student, rows N, k, requirements, hidden width dT, payload words,
///                        teacher rows H
///     top-k              ids (N·K), log-probabilities (N·K), tail mass (N)
///     full logits        (N·V)
///     teacher token ids  inputs (H), labels (H)                      (`dskd-cma`)
///     hidden states      (H·dT)
///
/// H is N, the student's positions, unless the teacher re-tokenizes the text (`dskd-cma`):
/// then H = NT = B_local·TT, the teacher's own positions.
///
/// The step in the header, checked on receipt, detects a stale or misrouted message
/// (the MPI tag carries the step modulo `tagModulus` only).
public struct TeacherMessageFormat: Equatable, Sendable {
    /// The per-token parts sent (a subset of top-k, full logits, hidden states).
    public let requirements: TeacherRequirements
    /// N: rows per message (one student's share of a step: B_local·T).
    public let rows: Int
    /// K (0 without top-k).
    public let k: Int
    public let vocabularySize: Int
    /// dT (0 without hidden states).
    public let hiddenWidth: Int
    /// τ of the top-k log-probabilities.
    public let temperature: Float
    /// TT with teacher token ids, else 0.
    public let teacherSequenceLength: Int
    /// H: rows of the hidden states (and of the token ids).
    public let teacherRows: Int

    public static let magic: UInt32 = 0x5444_444B  // "TDDK"
    public static let headerWords = 9
    /// Tags are `step % tagModulus` (credits use the next 16,000 tags; MPI guarantees tags up to 32767).
    public static let tagModulus = 16_000

    /// `teacherTokens`: the shape of the teacher's own tokenization when it sends token ids
    /// (B_local sequences of TT positions).
    public init(requirements: TeacherRequirements, rows: Int, k: Int, vocabularySize: Int, hiddenWidth: Int,
                temperature: Float, teacherTokens: (sequences: Int, length: Int)? = nil) {
        self.requirements = requirements.intersection([.topKLogProbabilities, .fullLogits, .finalHiddenStates, .tokenIds])
        self.rows = rows
        self.k = self.requirements.contains(.topKLogProbabilities) ? k : 0
        self.vocabularySize = vocabularySize
        self.hiddenWidth = self.requirements.contains(.finalHiddenStates) ? hiddenWidth : 0
        self.temperature = temperature
        let crossed = self.requirements.contains(.tokenIds) ? teacherTokens : nil
        teacherSequenceLength = crossed?.length ?? 0
        teacherRows = crossed.map { $0.sequences * $0.length } ?? rows
    }

    /// Whether the objective needs anything per token from the teacher.
    public var isEmpty: Bool { requirements.isEmpty }

    public var payloadWords: Int {
        var words = 0
        if requirements.contains(.topKLogProbabilities) { words += rows * (2 * k + 1) }
        if requirements.contains(.fullLogits) { words += rows * vocabularySize }
        if requirements.contains(.tokenIds) { words += 2 * teacherRows }
        if requirements.contains(.finalHiddenStates) { words += teacherRows * hiddenWidth }
        return words
    }

    /// Words in one message.
    public var messageWords: Int { Self.headerWords + payloadWords }

    /// Whether a message may carry fewer than `rows` rows: top-k targets alone, for the
    /// sequences a teacher-target store does not hold (`teacher.source = "store+live"`).
    public var allowsFewerRows: Bool { requirements == [.topKLogProbabilities] }

    /// The payload of a message of `count` rows (`payloadWords` at `rows`).
    public func payloadWords(rows count: Int) -> Int {
        count == rows ? payloadWords : count * (2 * k + 1)
    }

    /// The tag of a step's message.
    public static func tag(step: Int) -> Int { step % tagModulus }
}

/// A teacher message that is not the one a student waited for.
public struct TeacherProtocolError: Error, CustomStringConvertible {
    public var teacherRank: Int
    public var step: Int
    public var problem: String
    public var description: String { "step \(step): from teacher rank \(teacherRank): \(problem)" }

    public init(teacherRank: Int, step: Int, problem: String) {
        self.teacherRank = teacherRank
        self.step = step
        self.problem = problem
    }
}
