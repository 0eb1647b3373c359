import Engine
import Foundation

/// How well a model predicts a token sequence.
public struct PerplexityResult: Equatable, Sendable {
    /// Tokens in the scored sequence.
    public var tokens: Int
    /// Tokens that were predicted (every token but the first of each window).
    public var predictedTokens: Int
    /// Mean of −log p(token | prefix) over the predicted tokens, in nats.
    public var meanNegativeLogLikelihood: Double
    /// exp(meanNegativeLogLikelihood).
    public var perplexity: Double { Foundation.exp(meanNegativeLogLikelihood) }
}

extension LanguageModelInference {
    /// Scores `tokens`: every token from the second on is predicted from its prefix. A
    /// sequence longer than `window` (default and maximum: `maxSequenceLength`) is cut into
    /// windows that overlap by one token, so each token after the first is predicted exactly
    /// once, from the tokens before it in its window.
    public func perplexity(of tokens: [Int32], window: Int? = nil) throws -> PerplexityResult {
        let window = min(window ?? maxSequenceLength, maxSequenceLength)
        guard tokens.count >= 2 else {
            throw EngineError.lengthMismatch(what: "tokens to score (at least 2)", expected: 2, actual: tokens.count)
        }
        guard window >= 2 else {
            throw EngineError.batchShape(batch: 1, sequence: window, maxBatch: maxBatchSize, maxSequence: maxSequenceLength)
        }
        var totalNLL = 0.0
        var predicted = 0
        var start = 0
        while start + 1 < tokens.count {
            let end = min(start + window, tokens.count)
            let slice = Array(tokens[start..<end])
            try forward(tokens: slice, batchSize: 1, sequenceLength: slice.count)
            let V = vocabularySize
            try logits { rowStart, rowCount, logits in
                for r in 0..<rowCount {
                    let position = rowStart + r
                    guard position + 1 < slice.count else { continue }
                    totalNLL += negativeLogProbability(logits + r * V, count: V, target: Int(slice[position + 1]))
                    predicted += 1
                }
            }
            start = end - 1
        }
        return PerplexityResult(tokens: tokens.count, predictedTokens: predicted,
                                meanNegativeLogLikelihood: totalNLL / Double(predicted))
    }
}

/// −log softmax(logits)[target], computed stably in double precision.
func negativeLogProbability(_ logits: UnsafePointer<Float>, count: Int, target: Int) -> Double {
    var maximum = -Float.infinity
    for i in 0..<count { maximum = max(maximum, logits[i]) }
    var sum = 0.0
    for i in 0..<count { sum += Double(Foundation.exp(logits[i] - maximum)) }
    return Foundation.log(sum) - Double(logits[target] - maximum)
}
