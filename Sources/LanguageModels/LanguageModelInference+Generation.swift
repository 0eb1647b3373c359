import Engine
import Foundation

/// How the next token is chosen.
public struct SamplingOptions: Sendable {
    /// 0 picks the most likely token (greedy); otherwise logits are divided by it.
    public var temperature: Float
    /// Sample among the `topK` most likely tokens only (0: all tokens).
    public var topK: Int
    /// Seed of the sampler's random numbers.
    public var seed: UInt64

    public init(temperature: Float = 0, topK: Int = 0, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.seed = seed
    }
}

extension LanguageModelInference {
    /// Continues `prompt` by up to `maxTokens` tokens, calling `onToken` after each; stops
    /// early after a token in `stopTokens` (which is returned and passed to `onToken`). The
    /// context is the last `maxSequenceLength` tokens. Each step runs the model on the whole
    /// context (no key/value cache) and the LM head on its last position only.
    @discardableResult
    public func generate(prompt: [Int32], maxTokens: Int, options: SamplingOptions = SamplingOptions(),
                         stopTokens: Set<Int32> = [], onToken: (Int32) throws -> Void = { _ in }) throws -> [Int32] {
        guard !prompt.isEmpty else {
            throw EngineError.lengthMismatch(what: "prompt tokens (at least 1)", expected: 1, actual: 0)
        }
        var random = SeededGenerator(seed: options.seed)
        var context = prompt
        var generated: [Int32] = []
        let V = vocabularySize, C = hiddenSize
        var logits = [Float](repeating: 0, count: V)
        while generated.count < maxTokens {
            if context.count > maxSequenceLength { context.removeFirst(context.count - maxSequenceLength) }
            let hidden = try forward(tokens: context, batchSize: 1, sequenceLength: context.count)
            logits.withUnsafeMutableBufferPointer { out in
                Matmul.forward(out: out.baseAddress!, inp: hidden.baseAddress! + (context.count - 1) * C,
                               weight: lmHeadWeight, rows: 1, inputWidth: C, outputWidth: V)
            }
            let next = Int32(chooseToken(logits, options: options, random: &random))
            generated.append(next)
            context.append(next)
            try onToken(next)
            if stopTokens.contains(next) { break }
        }
        return generated
    }
}

/// Greedy argmax (first maximum) when temperature is 0, otherwise a sample from the
/// temperature-scaled softmax restricted to the top k logits.
func chooseToken(_ logits: [Float], options: SamplingOptions, random: inout SeededGenerator) -> Int {
    if options.temperature <= 0 {
        var best = 0
        for i in 1..<logits.count where logits[i] > logits[best] { best = i }
        return best
    }
    var candidates = Array(logits.indices)
    if options.topK > 0 && options.topK < logits.count {
        candidates.sort { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        candidates.removeSubrange(options.topK...)
    }
    let maximum = candidates.map { logits[$0] }.max()!
    let weights = candidates.map { Foundation.exp(Double((logits[$0] - maximum) / options.temperature)) }
    var threshold = random.nextUniform() * weights.reduce(0, +)
    for (candidate, weight) in zip(candidates, weights) {
        threshold -= weight
        if threshold < 0 { return candidate }
    }
    return candidates.last!
}
