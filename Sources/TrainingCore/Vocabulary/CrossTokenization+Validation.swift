import Tokenizer

/// Validation text measured per byte (docs/ALGORITHMS.md §5): a window of T+1 student
/// tokens s_0 … s_T scores the bytes of s_1 … s_T, given the bytes of s_0, whichever
/// tokenizer reads them. The student predicts its T labels; the teacher reads
/// [BOS] + enc(bytes(s_0)) + enc(bytes(s_1 … s_T)) and only the tokens of the second part
/// are scored. Both sides so score exactly the same bytes after the same context, and
/// consecutive windows of a token stream tile its bytes.
public struct ScoredText: Equatable, Sendable {
    /// The teacher's tokens, context first (L of them).
    public let ids: [Int32]
    /// Labels `ids[1...]` from this index on are scored (the ones that spell the text).
    public let firstScoredLabel: Int
    /// Bytes of the scored text.
    public let byteCount: Int

    /// The (L−1) inputs and the (L−1) labels, unscored ones −1.
    public var inputsAndLabels: (inputs: [Int32], labels: [Int32]) {
        var labels = Array(ids.dropFirst())
        for index in 0..<firstScoredLabel { labels[index] = -1 }
        return (Array(ids.dropLast()), labels)
    }
}

extension CrossTokenization {
    /// The teacher's scored text of one validation window (`window`: T+1 student tokens).
    public func scoredText(window: ArraySlice<Int32>) throws -> ScoredText {
        precondition(window.count >= 2, "a validation window has at least two tokens")
        let contextBytes = studentTokenizer.decodeBytes([window[window.startIndex]])
        let textBytes = studentTokenizer.decodeBytes(Array(window.dropFirst()))
        let context = try teacherSequence(bytes: contextBytes)
        let text = try textBytes.withUnsafeBufferPointer { try teacherTokenizer.encode(utf8: $0) }
        return ScoredText(ids: context + text, firstScoredLabel: context.count - 1, byteCount: textBytes.count)
    }

    /// Bytes of the scored text of each window: what a per-token sum over the student's T
    /// labels is divided by (the same as `scoredText(window:).byteCount`).
    public static func labelBytes(window: ArraySlice<Int32>, studentTokenizer: any TextTokenizer) -> Int {
        studentTokenizer.decodeBytes(Array(window.dropFirst())).count
    }
}
