import Engine

/// The cross-entropy loss with its time measured (the element-wise part of the head).
struct TimedLoss: ChunkedLogitsLoss {
    var inner: CrossEntropyLoss
    var seconds = 0.0
    mutating func lossAndGradient(rowStart: Int, rowCount: Int, logits: UnsafeMutablePointer<Float>, vocabularySize: Int) -> Double {
        let t = now()
        defer { seconds += now() - t }
        return inner.lossAndGradient(rowStart: rowStart, rowCount: rowCount, logits: logits, vocabularySize: vocabularySize)
    }
}
