import Engine

/// What a student trainer needs for its AdamW and learning-rate schedule: the config's
/// `[optimizer]` table as plain values (the trainer knows no TOML).
public struct OptimizerSettings: Equatable, Sendable {
    /// Peak learning rate, reached after `warmupSteps`, and the floor the cosine decays to.
    public var learningRate: Double, minimumLearningRate: Double
    public var warmupSteps: Int
    /// AdamW's moments, ε and decoupled weight decay.
    public var beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double
    /// Global gradient-norm clip; 0 disables clipping.
    public var gradientClip: Double

    public init(learningRate: Double, minimumLearningRate: Double, warmupSteps: Int,
                beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double, gradientClip: Double) {
        self.learningRate = learningRate; self.minimumLearningRate = minimumLearningRate; self.warmupSteps = warmupSteps
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
        self.gradientClip = gradientClip
    }

    /// Warm-up then cosine decay from `learningRate` to `minimumLearningRate` over `totalSteps`.
    public func schedule(totalSteps: Int) -> LearningRateSchedule {
        LearningRateSchedule(peak: learningRate, floor: minimumLearningRate, warmupSteps: warmupSteps,
                             totalSteps: totalSteps)
    }
}

extension DistillConfig.OptimizerSection {
    /// The section's values for the trainer.
    public var settings: OptimizerSettings {
        OptimizerSettings(learningRate: learningRate, minimumLearningRate: minimumLearningRate, warmupSteps: warmupSteps,
                          beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, gradientClip: gradientClip)
    }
}
