import Engine

extension LanguageModelInference {
    /// Summed next-token cross-entropy (nats) and label count of the model on `batch`
    /// (logits chunk by chunk, never the whole (B·T,V) matrix).
    public func crossEntropy(on batch: SequenceBatch) throws -> (sum: Double, count: Int) {
        try crossEntropy(inputs: batch.inputs, labels: batch.labels, batchSize: batch.batchSize,
                         sequenceLength: batch.sequenceLength)
    }

    /// The same for (B,T) `inputs` and `labels`, negative labels not counted.
    public func crossEntropy(inputs: [Int32], labels: [Int32], batchSize: Int, sequenceLength: Int)
        throws -> (sum: Double, count: Int) {
        try forward(tokens: inputs, batchSize: batchSize, sequenceLength: sequenceLength)
        let V = vocabularySize
        var loss = try CrossEntropyLoss(targets: labels, vocabularySize: V)
        try logits { start, count, logits in
            _ = loss.lossAndGradient(rowStart: start, rowCount: count, logits: logits, vocabularySize: V)
        }
        return (loss.lossSum, loss.labelCount)
    }
}
