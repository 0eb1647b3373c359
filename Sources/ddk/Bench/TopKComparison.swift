import Distillation
import Foundation

/// One student, distance, temperature and k: the KD loss and its gradient with full-vocabulary
/// teacher targets against top-k + tail-bucket targets (a `results` entry of `bench topk --json`).
struct TopKComparison: Encodable {
    var student: String
    var distance: String
    var temperature: Double
    var k: Int
    var fullLoss: Double
    var topkLoss: Double
    var lossDifference: Double
    var relativeDifference: Double
    var meanAbsRowDifference: Double
    var gradientCosine: Double
    var teacherTailMass: Double

    /// The text line of the comparison.
    var line: String {
        "\(student) \(distance) τ=\(Float(temperature)) k=\(k): full \(String(format: "%.5f", fullLoss)) top-k \(String(format: "%.5f", topkLoss)) (rel \(String(format: "%+.2e", relativeDifference))), gradient cosine \(String(format: "%.6f", gradientCosine)), teacher tail \(String(format: "%.4f", teacherTailMass))"
    }

    /// The comparisons for every k of `kValues` up to the vocabulary size (targets in `targetsByK`).
    static func compare(student: [Float], named studentName: String, teacher teacherLogits: [Float], rowCount n: Int,
                        vocabularySize v: Int, distance: Distance, temperature: Float, targetsByK: [Int: TopKTargets],
                        kValues: [Int]) -> [TopKComparison] {
        let scratch = KernelScratch()
        let ones = [Float](repeating: 1, count: n)
        var full = [Float](repeating: 0, count: n)
        distance.forward(losses: &full, student: student, teacher: teacherLogits, rowCount: n, vocabularySize: v,
                         temperature: temperature, scratch: scratch)
        var fullGradient = [Float](repeating: 0, count: n * v)
        distance.backward(studentGradient: &fullGradient, teacherGradient: nil, dLosses: ones, student: student,
                          teacher: teacherLogits, rowCount: n, vocabularySize: v, temperature: temperature, scratch: scratch)
        let fullMean = full.reduce(0.0) { $0 + Double($1) } / Double(n)
        return kValues.compactMap { kValue -> TopKComparison? in
            guard let targets = targetsByK[kValue] else { return nil }
            var top = [Float](repeating: 0, count: n)
            distance.forward(losses: &top, student: student, targets: targets, rowCount: n, scratch: scratch)
            var topGradient = [Float](repeating: 0, count: n * v)
            distance.backward(studentGradient: &topGradient, dLosses: ones, student: student, targets: targets,
                              rowCount: n, scratch: scratch)
            let topMean = top.reduce(0.0) { $0 + Double($1) } / Double(n)
            var absolute = 0.0
            for r in 0..<n { absolute += abs(Double(top[r]) - Double(full[r])) }
            var dot = 0.0, a2 = 0.0, b2 = 0.0
            for i in 0..<(n * v) {
                dot += Double(fullGradient[i]) * Double(topGradient[i])
                a2 += Double(fullGradient[i]) * Double(fullGradient[i]); b2 += Double(topGradient[i]) * Double(topGradient[i])
            }
            return TopKComparison(
                student: studentName, distance: distance.name, temperature: Double(temperature), k: kValue,
                fullLoss: fullMean, topkLoss: topMean, lossDifference: topMean - fullMean,
                relativeDifference: fullMean != 0 ? (topMean - fullMean) / fullMean : 0,
                meanAbsRowDifference: absolute / Double(n),
                gradientCosine: dot / max((a2 * b2).squareRoot(), 1e-300),
                teacherTailMass: targets.tailMass.reduce(0.0) { $0 + Double($1) } / Double(n))
        }
    }
}
