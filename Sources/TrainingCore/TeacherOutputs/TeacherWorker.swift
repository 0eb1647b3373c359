import Distillation
import Engine

/// The frozen teacher on one rank: runs the forward pass on a student's share of a step
/// and turns it into exactly what the message format carries (top-k targets selected
/// chunk by chunk from the logits, so the full (N,V) matrix never exists unless the
/// objective asks for full logits; for `dskd-cma` the teacher's own tokens of the text
/// and its hidden states at them), and measures validation cross-entropy (per token, or
/// per byte of the same text when the vocabularies differ).
///
/// Shapes: B = sequences, T = sequence length, N = B·T, V = vocabulary, K = top-k,
/// TT = teacher positions, NT = B·TT.
public final class TeacherWorker {
    public let model: any LanguageModelInference
    public let format: TeacherMessageFormat
    /// The text in the teacher's tokens: for `dskd-cma`'s token ids and per-byte validation.
    public let crossTokenization: CrossTokenization?
    /// What `crossEntropy(on:)` counts.
    public let perplexityUnit: PerplexityUnit
    /// Sequences cut at TT teacher tokens so far (the text did not fit).
    public private(set) var truncatedSequences = 0

    /// Wraps a loaded teacher. `format.rows` must be a multiple of the sequence length.
    public init(model: any LanguageModelInference, format: TeacherMessageFormat,
                crossTokenization: CrossTokenization? = nil, perplexityUnit: PerplexityUnit = .token) {
        precondition(perplexityUnit == .token || crossTokenization != nil, "per-byte perplexity needs the cross tokenization")
        self.model = model
        self.format = format
        self.crossTokenization = crossTokenization
        self.perplexityUnit = perplexityUnit
    }

    /// The teacher's outputs for `batch` (one student's share of `step`).
    public func outputs(for batch: SequenceBatch, step: Int, studentIndex: Int) throws -> TeacherOutputs {
        let rows = batch.batchSize * batch.sequenceLength
        var outputs = TeacherOutputs(step: step, studentIndex: studentIndex, rows: rows)
        let requirements = format.requirements
        if rows == 0 && format.allowsFewerRows {  // every sequence came from a teacher-target store
            outputs.topK = try TopKTargets(rowCount: 0, k: format.k, vocabularySize: model.vocabularySize,
                                           temperature: format.temperature, ids: [], logProbabilities: [], tailMass: [])
            return outputs
        }
        let hidden: UnsafeBufferPointer<Float>
        if requirements.contains(.tokenIds) {
            guard let crossTokenization else { throw DistillationError.missingTeacherData("the teacher's tokenizer (dskd-cma)") }
            let (tokens, truncated) = try crossTokenization.teacherTokens(for: batch)
            truncatedSequences += truncated
            outputs.tokenIds = tokens
            hidden = try model.forward(tokens: tokens.inputs, batchSize: batch.batchSize, sequenceLength: tokens.sequenceLength)
        } else {
            hidden = try model.forward(tokens: batch.inputs, batchSize: batch.batchSize, sequenceLength: batch.sequenceLength)
        }
        if requirements.contains(.finalHiddenStates) { outputs.hiddenStates = Array(hidden) }
        if requirements.contains(.topKLogProbabilities) { outputs.topK = try topKTargets(rows: rows) }
        if requirements.contains(.fullLogits) { outputs.fullLogits = try fullLogits(rows: rows) }
        return outputs
    }

    /// Top-k targets of the last forward pass, chunk by chunk.
    private func topKTargets(rows: Int) throws -> TopKTargets {
        let V = model.vocabularySize, k = format.k
        var ids = [Int32](), logProbabilities = [Float](), tail = [Float]()
        ids.reserveCapacity(rows * k); logProbabilities.reserveCapacity(rows * k); tail.reserveCapacity(rows)
        try model.logits { _, count, logits in
            let chunk = try TopKTargets(teacherLogits: logits, rowCount: count, vocabularySize: V, k: k,
                                        temperature: format.temperature)
            ids.append(contentsOf: chunk.ids)
            logProbabilities.append(contentsOf: chunk.logProbabilities)
            tail.append(contentsOf: chunk.tailMass)
        }
        return try TopKTargets(rowCount: rows, k: k, vocabularySize: V, temperature: format.temperature,
                               ids: ids, logProbabilities: logProbabilities, tailMass: tail)
    }

    /// All (N,V) logits of the last forward pass.
    private func fullLogits(rows: Int) throws -> [Float] {
        let V = model.vocabularySize
        var logits = [Float](repeating: 0, count: rows * V)
        try logits.withUnsafeMutableBufferPointer { all in
            try model.logits { start, count, chunk in
                (all.baseAddress! + start * V).update(from: chunk, count: count * V)
            }
        }
        return logits
    }

    /// Summed next-token cross-entropy (nats) of the teacher on `batch`, and what it is per:
    /// label tokens, or (per byte) the bytes of the labels' text, scored one window at a time.
    public func crossEntropy(on batch: SequenceBatch) throws -> (sum: Double, count: Int) {
        guard perplexityUnit == .byte, let crossTokenization else { return try model.crossEntropy(on: batch) }
        var sum = 0.0, bytes = 0
        for b in 0..<batch.batchSize {
            let text = try crossTokenization.scoredText(window: batch.sequence(b)[...])
            let (inputs, labels) = text.inputsAndLabels
            sum += try model.crossEntropy(inputs: inputs, labels: labels, batchSize: 1, sequenceLength: inputs.count).sum
            bytes += text.byteCount
        }
        return (sum, bytes)
    }
}
