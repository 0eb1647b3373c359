// `ce`: next-token cross-entropy, summed over label tokens / global label count.

import Engine

/// Plain next-token cross-entropy (the continued-pre-training baseline).
public final class CrossEntropyObjective: Objective, ChunkedObjective {
    public let kind = ObjectiveKind.ce
    public let teacherRequirements: TeacherRequirements = []
    public private(set) var components = LossComponents()
    private var labels: StepLabels?

    public init() {}

    /// Sets the labels of the next step and clears the components.
    public func beginStep(labels: StepLabels) {
        self.labels = labels
        components = LossComponents()
        for name in kind.componentNames { components[name] = 0 }
    }

    public func lossAndGradients(model: LlamaModel, batch: ObjectiveBatch, teacher: TeacherOutputsView?,
                                 computeGradients: Bool = true) throws -> ObjectiveResult {
        beginStep(labels: batch.labels)
        let sum = try runLMHead(of: model, computeGradients: computeGradients)
        return ObjectiveResult(components: components, lmHeadSum: sum)
    }

    public func lossAndGradient(rowStart: Int, rowCount: Int, logits: UnsafeMutablePointer<Float>, vocabularySize: Int) -> Double {
        guard let labels else { preconditionFailure("CrossEntropyObjective: beginStep(labels:) was not called") }
        let weight = Float(1 / labels.globalLabelTokenCount)
        var sum = 0.0
        for r in 0..<rowCount {
            let row = logits + r * vocabularySize
            let label = Int(labels.values[rowStart + r])
            if label < 0 { row.update(repeating: 0, count: vocabularySize); continue }
            sum += RowKernels.crossEntropy(z: row, count: vocabularySize, label: label, weight: weight,
                                           gradient: RowGradient(row, accumulate: false))
        }
        components.add("ce", sum); components.add("total", sum)
        return sum
    }
}
