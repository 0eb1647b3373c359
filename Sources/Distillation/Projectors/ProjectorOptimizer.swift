import Foundation

/// AdamW over the projector buffer with the projectors' own learning rate
/// (decoupled weight decay on weights, none on biases; bias-corrected moments).
public struct ProjectorOptimizer {
    /// β1, β2, ε of Adam.
    public var beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
    /// Decoupled weight decay (DSKD scripts: 0.01).
    public var weightDecay: Float
    /// First moment, in the projector buffer's layout.
    public private(set) var firstMoment: [Float]
    /// Second moment, in the projector buffer's layout.
    public private(set) var secondMoment: [Float]
    private var decays: [Bool]
    /// Updates applied so far (bias correction uses step + 1).
    public private(set) var step = 0

    /// An optimizer sized for `projectors`.
    public init(for projectors: DualSpaceProjectors, weightDecay: Float = 0.01) {
        self.weightDecay = weightDecay
        firstMoment = [Float](repeating: 0, count: projectors.parameters.count)
        secondMoment = firstMoment
        decays = [Bool](repeating: false, count: projectors.parameters.count)
        for layout in [projectors.teacherToStudent, projectors.studentToTeacher] + (projectors.query.map { [$0] } ?? []) {
            for i in layout.offset..<layout.biasOffset { decays[i] = true }
        }
    }

    /// One update of `projectors.parameters` from `projectors.gradients` at `learningRate`
    /// (default: the projectors' own rate).
    public mutating func update(_ projectors: DualSpaceProjectors, learningRate: Float? = nil) {
        step += 1
        let rate = learningRate ?? projectors.learningRate
        let c1 = 1 - Float(Foundation.pow(Double(beta1), Double(step)))
        let c2 = 1 - Float(Foundation.pow(Double(beta2), Double(step)))
        for i in projectors.parameters.indices {
            let g = projectors.gradients[i]
            firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * g
            secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * g * g
            var p = projectors.parameters[i]
            if decays[i] { p -= rate * weightDecay * p }
            p -= rate * (firstMoment[i] / c1) / ((secondMoment[i] / c2).squareRoot() + epsilon)
            projectors.parameters[i] = p
        }
    }

    /// Puts back moments and step saved from an optimizer of the same projectors (resume).
    public mutating func restore(firstMoment: [Float], secondMoment: [Float], step: Int) throws {
        guard firstMoment.count == self.firstMoment.count else {
            throw DistillationError.sizeMismatch("projector optimizer first moment", expected: self.firstMoment.count,
                                                 got: firstMoment.count)
        }
        guard secondMoment.count == self.secondMoment.count else {
            throw DistillationError.sizeMismatch("projector optimizer second moment", expected: self.secondMoment.count,
                                                 got: secondMoment.count)
        }
        guard step >= 0 else { throw DistillationError.invalidParameter("projector optimizer step", Double(step), ">= 0") }
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
        self.step = step
    }
}
