// The contract between an objective and the engine's chunked LM-head loss
// (`LlamaModel.lmHeadLoss(&objective)`): the engine computes student logits for a chunk of
// rows of the flattened (B·T) positions and hands them over; the objective overwrites them
// in place with dLoss/dlogits (normalization by the GLOBAL label-token count included)
// and returns the summed, weighted loss of those rows.
//
// Shape legend: N = B·T rows, V = student vocabulary size.
//   logits (rowCount, V) for rows rowStart ..< rowStart + rowCount.

import Engine

/// A loss over student logits that the chunked LM-head path can call chunk by chunk.
public protocol ChunkedObjective: AnyObject, ChunkedLogitsLoss {
    /// Overwrites `logits` (rowCount, V) with dLoss/dlogits and returns the summed loss of the rows.
    func lossAndGradient(rowStart: Int, rowCount: Int, logits: UnsafeMutablePointer<Float>, vocabularySize: Int) -> Double
    /// The named components accumulated since the step began (sums over label tokens).
    var components: LossComponents { get }
}

extension ChunkedObjective {
    /// Runs the model's chunked LM head with this objective; returns what the chunks summed.
    func runLMHead(of model: LlamaModel, computeGradients: Bool) throws -> Double {
        var chunked = self
        return try model.lmHeadLoss(&chunked, computeGradients: computeGradients)
    }
}

/// Labels of one step with the padding mask: a negative label is not a label token.
public struct StepLabels: Sendable {
    /// (N) next-token ids, negative where the position is padding.
    public let values: [Int32]
    /// Label tokens of the GLOBAL batch (summed over data-parallel ranks): the loss divisor.
    public let globalLabelTokenCount: Double

    /// Checks that every label is negative or below `vocabularySize` and the divisor is positive.
    public init(_ values: [Int32], globalLabelTokenCount: Double, vocabularySize: Int) throws {
        guard globalLabelTokenCount > 0 else { throw DistillationError.invalidParameter("global label-token count", globalLabelTokenCount, "must be positive") }
        for v in values where Int(v) >= vocabularySize {
            throw DistillationError.tokenOutOfRange("labels", id: Int(v), vocabularySize: vocabularySize)
        }
        self.values = values
        self.globalLabelTokenCount = globalLabelTokenCount
    }

    /// Label tokens in this (local) batch.
    public var localLabelTokenCount: Int { values.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }
}
