/// B sequences of T+1 tokens split into model inputs and next-token labels.
///
/// Shapes: inputs (B,T), labels (B,T): `labels[b][t] = sequence[b][t+1]`.
public struct SequenceBatch: Sendable {
    public let batchSize: Int
    public let sequenceLength: Int
    /// (B,T) input ids.
    public let inputs: [Int32]
    /// (B,T) label ids (every position is a label: sequences are cut from a token stream).
    public let labels: [Int32]
    /// Where each sequence comes from, when it is a training batch of the plan (a
    /// teacher-target store looks its targets up by it).
    public var origins: [SequenceOrigin]?

    /// Splits `sequences` ((B, T+1) row-major) into inputs and labels.
    public init(sequences: [Int32], batchSize B: Int, sequenceLength T: Int) {
        precondition(sequences.count == B * (T + 1), "a batch of \(B) sequences needs \(B * (T + 1)) tokens, got \(sequences.count)")
        var inputs = [Int32](), labels = [Int32]()
        inputs.reserveCapacity(B * T)
        labels.reserveCapacity(B * T)
        for b in 0..<B {
            let row = b * (T + 1)
            inputs.append(contentsOf: sequences[row..<row + T])
            labels.append(contentsOf: sequences[row + 1..<row + T + 1])
        }
        batchSize = B
        sequenceLength = T
        self.inputs = inputs
        self.labels = labels
    }

    /// Sequence `b` whole again: its T inputs and its last label (T+1 tokens).
    public func sequence(_ b: Int) -> [Int32] {
        Array(inputs[b * sequenceLength..<(b + 1) * sequenceLength]) + [labels[(b + 1) * sequenceLength - 1]]
    }

    /// The sequences `indices` of the batch, in that order (with their origins).
    public func selecting(_ indices: [Int]) -> SequenceBatch {
        var selected = SequenceBatch(sequences: indices.flatMap { sequence($0) }, batchSize: indices.count,
                                     sequenceLength: sequenceLength)
        selected.origins = origins.map { all in indices.map { all[$0] } }
        return selected
    }

    /// Label tokens in the batch.
    public var labelCount: Int { labels.count }
}

/// A training sequence of the shards: its domain and its index among the domain's training
/// sequences.
public struct SequenceOrigin: Sendable, Equatable {
    public var domain: Int
    public var index: Int

    public init(domain: Int, index: Int) {
        self.domain = domain
        self.index = index
    }
}
