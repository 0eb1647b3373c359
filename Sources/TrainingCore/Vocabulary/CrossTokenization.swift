import Distillation
import Tokenizer

/// The same text in the teacher's tokens, for a teacher whose vocabulary is not the
/// student's (docs/ALGORITHMS.md §5). The shards hold the student tokenizer's ids; a
/// byte-level BPE decodes them to exactly the bytes they were made from, and the teacher's
/// tokenizer encodes those bytes again (bytes that are not valid UTF-8, at a window's
/// edges, become byte tokens, so nothing is lost).
///
/// Shapes: B = sequences, T = student positions, TT = teacher positions (fixed per job so
/// that a message has a known size), NT = B·TT.
public struct CrossTokenization: Sendable {
    public let studentTokenizer: any TextTokenizer
    public let teacherTokenizer: any TextTokenizer
    /// TT.
    public let teacherSequenceLength: Int

    public init(studentTokenizer: any TextTokenizer, teacherTokenizer: any TextTokenizer, teacherSequenceLength: Int) {
        self.studentTokenizer = studentTokenizer
        self.teacherTokenizer = teacherTokenizer
        self.teacherSequenceLength = teacherSequenceLength
    }

    /// Whether the two tokenizers are one (the teacher reads the shards' ids as they are).
    public var isShared: Bool { studentTokenizer.identity == teacherTokenizer.identity }

    /// The teacher's view of a training batch: each sequence's T+1 student tokens decoded to
    /// bytes and encoded as [BOS] + teacher tokens, cut to TT+1 tokens; inputs are the first
    /// TT, labels the next TT; positions past the text are padding (input the padding id or
    /// 0, label −1). Also returns how many sequences were cut short of their text.
    public func teacherTokens(for batch: SequenceBatch) throws -> (ids: TeacherTokenIds, truncatedSequences: Int) {
        let B = batch.batchSize, TT = teacherSequenceLength
        var inputs = [Int32](repeating: teacherTokenizer.paddingTokenID ?? 0, count: B * TT)
        var labels = [Int32](repeating: -1, count: B * TT)
        var truncated = 0
        for b in 0..<B {
            let tokens = try teacherSequence(bytes: studentTokenizer.decodeBytes(batch.sequence(b)))
            if tokens.count > TT + 1 { truncated += 1 }
            let kept = min(tokens.count - 1, TT)
            for t in 0..<kept {
                inputs[b * TT + t] = tokens[t]
                labels[b * TT + t] = tokens[t + 1]
            }
        }
        return (TeacherTokenIds(sequenceLength: TT, inputs: inputs, labels: labels), truncated)
    }

    /// [BOS] (when the teacher's vocabulary has one) + the teacher's tokens of `bytes`.
    func teacherSequence(bytes: [UInt8]) throws -> [Int32] {
        let encoded = try bytes.withUnsafeBufferPointer { try teacherTokenizer.encode(utf8: $0) }
        return (teacherTokenizer.bosTokenID.map { [$0] } ?? []) + encoded
    }
}
