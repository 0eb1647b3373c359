/// A shard seen as fixed-length training sequences: sequence k is the T+1 tokens
/// starting at k·T (consecutive sequences share one token, so every token but
/// the first is a prediction target exactly once). Sequences run across
/// document boundaries; the EOS ids mark them.
public struct TokenSequences: Sendable {
    /// The shard read.
    public let shard: Shard
    /// T: every sequence has T+1 tokens (T inputs, T targets).
    public let sequenceLength: Int

    /// Views `shard` as sequences of `sequenceLength + 1` tokens.
    public init(shard: Shard, sequenceLength: Int) {
        precondition(sequenceLength >= 1, "sequence length must be at least 1")
        self.shard = shard
        self.sequenceLength = sequenceLength
    }

    /// Number of whole sequences in the shard: ⌊(tokens − 1) / T⌋.
    public var count: Int { max(0, (shard.tokenCount - 1) / sequenceLength) }

    /// Copies sequence `index` (T+1 tokens) into `destination`.
    public func copySequence(_ index: Int, into destination: UnsafeMutableBufferPointer<Int32>) {
        precondition(index >= 0 && index < count, "\(shard.path): sequence \(index) outside 0..<\(count)")
        precondition(destination.count == sequenceLength + 1, "destination must hold T+1 = \(sequenceLength + 1) tokens")
        shard.copyTokens(from: index * sequenceLength, into: destination)
    }

    /// Sequence `index` as an array of T+1 tokens.
    public func sequence(_ index: Int) -> [Int32] {
        precondition(index >= 0 && index < count, "\(shard.path): sequence \(index) outside 0..<\(count)")
        return shard.tokens(index * sequenceLength..<index * sequenceLength + sequenceLength + 1)
    }
}
