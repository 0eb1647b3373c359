import DataPipeline
import Distillation
import Engine
import Foundation

/// The data-parallel check: the students' summed gradient of step 0 against the gradient
/// one process computes on the whole global batch from the same initial weights and the
/// same teacher targets (computed share by share, as the pool does). They agree up to the
/// order of floating-point sums.
public struct GradientCheck: Encodable {
    public var studentCount: Int
    public var parameterCount: Int
    /// max |g_distributed − g_single|.
    public var maxAbsoluteDifference: Double
    /// max |g_single|.
    public var maxAbsoluteGradient: Double
    /// ‖g_distributed − g_single‖ / ‖g_single‖.
    public var relativeDifference: Double
    /// The accepted relative difference.
    public var tolerance: Double
    public var passed: Bool

    /// One line for the log.
    public var summary: String {
        String(format: "gradient check (%d students vs one process): relative difference %.3e, max |diff| %.3e (max |g| %.3e): %@",
               studentCount, relativeDifference, maxAbsoluteDifference, maxAbsoluteGradient, passed ? "passed" : "FAILED")
    }

    public static func compare(distributed: [Float], initialParameters: [Float], architecture: LlamaConfig,
                        objective: StudentObjective, plan: BatchPlan, assignments: [SequenceAssignment],
                        studentCount: Int, teacher: TeacherWorker?) throws -> GradientCheck {
        let T = plan.dataset.sequenceLength
        let globalBatch = assignments.count
        let model = try LlamaModel(config: architecture, batchSize: globalBatch, sequenceLength: T, seed: 0)
        initialParameters.withUnsafeBufferPointer { model.parameters.pointer.update(from: $0.baseAddress!, count: $0.count) }
        var outputs: TeacherOutputs?
        if let teacher {
            var parts: [TeacherOutputs] = []
            for index in 0..<studentCount {
                parts.append(try teacher.outputs(for: plan.batch(of: assignments, studentIndex: index), step: 0, studentIndex: index))
            }
            var whole = TeacherOutputs(step: 0, studentIndex: 0, rows: globalBatch * T)
            if parts[0].topK != nil { whole.topK = try TopKTargets.concatenated(parts.map { $0.topK! }) }
            if parts[0].fullLogits != nil { whole.fullLogits = parts.flatMap { $0.fullLogits! } }
            if parts[0].hiddenStates != nil { whole.hiddenStates = parts.flatMap { $0.hiddenStates! } }
            if let first = parts[0].tokenIds {
                whole.tokenIds = TeacherTokenIds(sequenceLength: first.sequenceLength, inputs: parts.flatMap { $0.tokenIds!.inputs },
                                                 labels: parts.flatMap { $0.tokenIds!.labels })
            }
            outputs = whole
        }
        let batch = SequenceBatch(sequences: plan.tokens(of: assignments), batchSize: globalBatch, sequenceLength: T)
        model.zeroGradients()
        try model.forward(tokens: batch.inputs, batchSize: globalBatch, sequenceLength: T)
        let labels = try StepLabels(batch.labels, globalLabelTokenCount: Double(globalBatch * T),
                                    vocabularySize: architecture.vocabularySize)
        _ = try objective.lossAndGradients(model: model, inputs: batch.inputs, labels: labels, teacher: outputs)
        try model.backward()
        let single = model.gradients.toArray()
        var maxDifference = 0.0, maxGradient = 0.0, differenceSquares = 0.0, gradientSquares = 0.0
        for index in single.indices {
            let g = Double(single[index]), d = Double(index < distributed.count ? distributed[index] : .nan) - g
            maxDifference = max(maxDifference, abs(d))
            maxGradient = max(maxGradient, abs(g))
            differenceSquares += d * d
            gradientSquares += g * g
        }
        let relative = (differenceSquares / max(gradientSquares, 1e-300)).squareRoot()
        let tolerance = 1e-4
        return GradientCheck(studentCount: studentCount, parameterCount: single.count, maxAbsoluteDifference: maxDifference,
                             maxAbsoluteGradient: maxGradient, relativeDifference: relative, tolerance: tolerance,
                             passed: distributed.count == single.count && relative <= tolerance)
    }

    /// Writes the check as JSON.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase  // field names: the properties' in snake_case
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }
}
