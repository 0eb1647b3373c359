import XCTest
import Foundation
import Distillation

final class ObjectiveTests: XCTestCase {
    /// The fused in-place kd step equals wCE·CE + wD·D computed separately, over the
    /// global label count, with padding rows contributing nothing; chunking does not matter.
    func testKDObjectiveMatchesSeparateTermsAndChunking() throws {
        var random = TestRandom(31)
        let v = 70, rows = 5, globalCount = 9.0
        let student = random.array(rows * v, scale: 2)
        let teacher = random.array(rows * v, scale: 2)
        let labelValues: [Int32] = [3, -1, 69, 0, 12]
        for weighting in [KDWeighting.ddk, .interpolated(lambda: 0.5)] {
            for (tau, useTopK) in [(1.0, true), (2.0, true), (1.5, true), (2.0, false)] {
                for distance in [Distance.forwardKL, .adaptiveKL(alpha: 0.5), .jensenShannon] {
                    let configuration = try KDConfiguration(distance: distance, temperature: Float(tau), weighting: weighting)
                    let objective = KnowledgeDistillationObjective(configuration: configuration, usesTopK: useTopK)
                    let labels = try StepLabels(labelValues, globalLabelTokenCount: globalCount, vocabularySize: v)
                    let k = 8
                    let targets: TeacherTargets = useTopK
                        ? .topK(try TopKTargets(teacherLogits: teacher.map(Float.init), rowCount: rows, vocabularySize: v, k: k, temperature: Float(tau)))
                        : .fullLogits(teacher.map(Float.init))
                    try objective.beginStep(labels: labels, targets: targets, vocabularySize: v)
                    var logits = student.map(Float.init)
                    var total = 0.0
                    logits.withUnsafeMutableBufferPointer { buffer in
                        total += objective.lossAndGradient(rowStart: 0, rowCount: 2, logits: buffer.baseAddress!, vocabularySize: v)
                        total += objective.lossAndGradient(rowStart: 2, rowCount: 3, logits: buffer.baseAddress! + 2 * v, vocabularySize: v)
                    }
                    // reference
                    var ce = 0.0, kd = 0.0
                    let wCE = Double(weighting.crossEntropyWeight), wD = Double(weighting.distanceWeight)
                    for r in 0..<rows where labelValues[r] >= 0 {
                        let s = Array(student[r * v..<(r + 1) * v]), t = Array(teacher[r * v..<(r + 1) * v])
                        ce += Reference.crossEntropy(s, label: Int(labelValues[r]))
                        let weights: (Double, Double)?
                        let lossOf: ([Double]) -> Double
                        if useTopK {
                            let order = t.indices.sorted { t[$0] > t[$1] }
                            let ids = Array(order.prefix(k))
                            let b = Reference.buckets(student: s, teacher: t, ids: ids, tau: tau)
                            if case .adaptiveKL(let a) = distance { weights = Reference.adaptiveWeights(p: b.p, q: b.q, alpha: Double(a)) } else { weights = nil }
                            lossOf = { x in let b = Reference.buckets(student: x, teacher: t, ids: ids, tau: tau); return Reference.distance(distance, p: b.p, q: b.q, fixedWeights: weights) }
                        } else {
                            weights = Reference.fullWeights(distance, student: s, teacher: t, tau: tau)
                            lossOf = { x in Reference.rowLoss(distance, student: x, teacher: t, tau: tau, fixedWeights: weights) }
                        }
                        kd += lossOf(s)
                        for i in 0..<v {
                            let label = Int(labelValues[r])
                            let dce = Reference.derivative({ Reference.crossEntropy($0, label: label) }, at: s, i)
                            let expected = (wCE * dce + wD * Reference.derivative(lossOf, at: s, i)) / globalCount
                            XCTAssertEqual(Double(logits[r * v + i]), expected, accuracy: 2e-4 / globalCount, "\(distance) τ=\(tau) row \(r) logit \(i)")
                        }
                    }
                    for i in v..<(2 * v) { XCTAssertEqual(logits[i], 0, "padding row gradient") }
                    XCTAssertEqual(objective.components["ce"], ce, accuracy: 1e-4)
                    XCTAssertEqual(objective.components["kd"], kd, accuracy: 1e-4)
                    XCTAssertEqual(total, wCE * ce + wD * kd, accuracy: 1e-4)
                    XCTAssertEqual(objective.components["total"], total, accuracy: 1e-9)
                }
            }
        }
    }

    func testCrossEntropyObjective() throws {
        var random = TestRandom(2)
        let v = 33
        let student = random.array(2 * v, scale: 2)
        let objective = CrossEntropyObjective()
        objective.beginStep(labels: try StepLabels([5, 32], globalLabelTokenCount: 4, vocabularySize: v))
        var logits = student.map(Float.init)
        let loss = objective.lossAndGradient(rowStart: 0, rowCount: 2, logits: &logits, vocabularySize: v)
        let s0 = Array(student[0..<v]), s1 = Array(student[v...])
        XCTAssertEqual(loss, Reference.crossEntropy(s0, label: 5) + Reference.crossEntropy(s1, label: 32), accuracy: 1e-4)
        for i in 0..<v {
            XCTAssertEqual(Double(logits[i]), Reference.derivative({ Reference.crossEntropy($0, label: 5) }, at: s0, i) / 4, accuracy: 1e-5)
            XCTAssertEqual(Double(logits[v + i]), Reference.derivative({ Reference.crossEntropy($0, label: 32) }, at: s1, i) / 4, accuracy: 1e-5)
        }
        XCTAssertEqual(objective.teacherRequirements, [])
    }

    func testObjectiveNamesAndTeacherRequirements() throws {
        XCTAssertEqual(try ObjectiveKind(name: "dskd-cma"), .dskdCMA)
        XCTAssertThrowsError(try ObjectiveKind(name: "dskd_cma")) { XCTAssertTrue("\($0)".contains("dskd-cma")) }
        XCTAssertEqual(ObjectiveKind.kd.teacherRequirements(), [.topKLogProbabilities])
        XCTAssertEqual(ObjectiveKind.kd.teacherRequirements(topK: false), [.fullLogits])
        XCTAssertEqual(ObjectiveKind.dskd.teacherRequirements(), [.finalHiddenStates, .headMatrix])
        XCTAssertTrue(ObjectiveKind.dskdCMA.teacherRequirements().contains(.embeddings))
        XCTAssertThrowsError(try KDConfiguration(distance: .forwardKL, temperature: 0, weighting: .ddk))
        XCTAssertThrowsError(try StepLabels([1, 2], globalLabelTokenCount: 0, vocabularySize: 5))
        XCTAssertThrowsError(try StepLabels([1, 7], globalLabelTokenCount: 2, vocabularySize: 5))
    }
}
