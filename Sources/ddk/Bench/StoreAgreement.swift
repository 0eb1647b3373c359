import Distillation
import Foundation

/// How far stored (quantized) top-k targets move the KD loss and its gradient from the exact
/// float32 targets, for one student, summed over batches (`bench capture`).
struct StoreAgreement {
    var student: String
    private var exactLossSum = 0.0, storedLossSum = 0.0
    private var dot = 0.0, exactSquared = 0.0, storedSquared = 0.0
    private var rows = 0

    init(student: String) {
        self.student = student
    }

    /// Adds one batch: the student's (N,V) logits against both targets.
    mutating func add(student logits: [Float], exact: TopKTargets, stored: TopKTargets, distance: Distance) {
        let n = exact.rowCount, v = exact.vocabularySize, scratch = KernelScratch()
        let ones = [Float](repeating: 1, count: n)
        var losses = [Float](repeating: 0, count: n)
        var exactGradient = [Float](repeating: 0, count: n * v), storedGradient = [Float](repeating: 0, count: n * v)
        distance.forward(losses: &losses, student: logits, targets: exact, rowCount: n, scratch: scratch)
        exactLossSum += losses.reduce(0.0) { $0 + Double($1) }
        distance.forward(losses: &losses, student: logits, targets: stored, rowCount: n, scratch: scratch)
        storedLossSum += losses.reduce(0.0) { $0 + Double($1) }
        distance.backward(studentGradient: &exactGradient, dLosses: ones, student: logits, targets: exact, rowCount: n, scratch: scratch)
        distance.backward(studentGradient: &storedGradient, dLosses: ones, student: logits, targets: stored, rowCount: n, scratch: scratch)
        for i in 0..<(n * v) {
            dot += Double(exactGradient[i]) * Double(storedGradient[i])
            exactSquared += Double(exactGradient[i]) * Double(exactGradient[i])
            storedSquared += Double(storedGradient[i]) * Double(storedGradient[i])
        }
        rows += n
    }

    /// One `students` entry of `bench capture --json`.
    struct Figures: Encodable {
        var student: String
        var exactLoss: Double
        var storedLoss: Double
        var relativeDifference: Double
        var gradientCosine: Double
    }

    var figures: Figures {
        let exact = exactLossSum / Double(max(rows, 1)), stored = storedLossSum / Double(max(rows, 1))
        return Figures(student: student, exactLoss: exact, storedLoss: stored,
                       relativeDifference: exact != 0 ? (stored - exact) / exact : 0,
                       gradientCosine: dot / max((exactSquared * storedSquared).squareRoot(), 1e-300))
    }
}
