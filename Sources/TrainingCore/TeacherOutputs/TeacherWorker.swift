import Distillation
import Engine

/// The frozen teacher on one rank: runs the forward pass on a student's share of a step
/// and turns it into exactly what the message format carries (top-k targets selected
/// chunk by chunk from the logits, so the full (N,V) matrix never exists unless the
/// objective asks for full logits), and measures validation cross-entropy.
///
/// Shapes: B = sequences, T = sequence length, N = B·T, V = vocabulary, K = top-k.
public final class TeacherWorker {
    public let model: LlamaInference
    public let format: TeacherMessageFormat

    /// Wraps a loaded teacher. `format.rows` must be a multiple of the sequence length.
    public init(model: LlamaInference, format: TeacherMessageFormat) {
        self.model = model
        self.format = format
    }

    /// The teacher's outputs for `batch` (one student's share of `step`).
    public func outputs(for batch: SequenceBatch, step: Int, studentIndex: Int) throws -> TeacherOutputs {
        let hidden = try model.forward(tokens: batch.inputs, batchSize: batch.batchSize, sequenceLength: batch.sequenceLength)
        let rows = batch.batchSize * batch.sequenceLength
        var outputs = TeacherOutputs(step: step, studentIndex: studentIndex, rows: rows)
        let requirements = format.requirements
        if requirements.contains(.finalHiddenStates) { outputs.hiddenStates = Array(hidden) }
        let V = model.config.vocabularySize
        if requirements.contains(.topKLogProbabilities) {
            let k = format.k
            var ids = [Int32](), logProbabilities = [Float](), tail = [Float]()
            ids.reserveCapacity(rows * k); logProbabilities.reserveCapacity(rows * k); tail.reserveCapacity(rows)
            try model.logits { _, count, logits in
                let chunk = try TopKTargets(teacherLogits: logits, rowCount: count, vocabularySize: V, k: k,
                                            temperature: format.temperature)
                ids.append(contentsOf: chunk.ids)
                logProbabilities.append(contentsOf: chunk.logProbabilities)
                tail.append(contentsOf: chunk.tailMass)
            }
            outputs.topK = try TopKTargets(rowCount: rows, k: k, vocabularySize: V, temperature: format.temperature,
                                           ids: ids, logProbabilities: logProbabilities, tailMass: tail)
        }
        if requirements.contains(.fullLogits) {
            var logits = [Float](repeating: 0, count: rows * V)
            try logits.withUnsafeMutableBufferPointer { all in
                try model.logits { start, count, chunk in
                    (all.baseAddress! + start * V).update(from: chunk, count: count * V)
                }
            }
            outputs.fullLogits = logits
        }
        return outputs
    }

    /// Summed next-token cross-entropy (nats) and label count of the teacher on `batch`.
    public func crossEntropy(on batch: SequenceBatch) throws -> (sum: Double, count: Int) {
        try model.crossEntropy(on: batch)
    }
}
