import Engine

extension LlamaInference {
    /// Summed next-token cross-entropy (nats) and label count of the model on `batch`
    /// (logits chunk by chunk, never the whole (B·T,V) matrix).
    public func crossEntropy(on batch: SequenceBatch) throws -> (sum: Double, count: Int) {
        try forward(tokens: batch.inputs, batchSize: batch.batchSize, sequenceLength: batch.sequenceLength)
        let V = config.vocabularySize
        var loss = try CrossEntropyLoss(targets: batch.labels, vocabularySize: V)
        try logits { start, count, logits in
            _ = loss.lossAndGradient(rowStart: start, rowCount: count, logits: logits, vocabularySize: V)
        }
        return (loss.lossSum, loss.labelCount)
    }
}
