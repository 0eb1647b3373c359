import Foundation

/// Linear warm-up to `peak`, then cosine decay to `floor` at `totalSteps`
/// (constant `floor` afterwards).
public struct LearningRateSchedule: Codable, Equatable, Sendable {
    public var peak: Double
    public var floor: Double
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(peak: Double, floor: Double, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak; self.floor = floor; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps
    }

    /// Learning rate for the 0-based `step`.
    public func learningRate(step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        return floor + 0.5 * (peak - floor) * (1 + Foundation.cos(Double.pi * progress))
    }
}
