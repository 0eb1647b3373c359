import XCTest
import Foundation
import Distillation

final class TopKTargetTests: XCTestCase {
    func testSelectionMatchesFullSortAndTailMass() throws {
        var random = TestRandom(21)
        let v = 1000, rows = 3, k = 16
        let logits = random.array(rows * v, scale: 3).map(Float.init)
        let targets = try TopKTargets(teacherLogits: logits, rowCount: rows, vocabularySize: v, k: k, temperature: 2)
        for r in 0..<rows {
            let row = Array(logits[r * v..<(r + 1) * v]).map(Double.init)
            let order = row.indices.sorted { row[$0] > row[$1] }
            XCTAssertEqual(targets.ids[r * k..<(r + 1) * k].map(Int.init), Array(order.prefix(k)), "row \(r)")
            let lp = Reference.logSoftmax(row, scale: 0.5)
            for j in 0..<k {
                XCTAssertEqual(Double(targets.logProbabilities[r * k + j]), lp[order[j]], accuracy: 1e-5)
            }
            let tail = order.dropFirst(k).reduce(0.0) { $0 + exp(lp[$1]) }
            XCTAssertEqual(Double(targets.tailMass[r]), tail, accuracy: 1e-6 * max(1, tail))
        }
    }

    func testTopKWithAllIdsEqualsFullVersion() throws {
        var random = TestRandom(5)
        let v = 45, rows = 2
        let student = random.array(rows * v, scale: 2).map(Float.init)
        let teacher = random.array(rows * v, scale: 2).map(Float.init)
        let targets = try TopKTargets(teacherLogits: teacher, rowCount: rows, vocabularySize: v, k: v, temperature: 1.5)
        XCTAssertEqual(targets.tailMass, [0, 0])
        let scratch = KernelScratch()
        for distance in allDistances {
            var full = [Float](repeating: 0, count: rows), top = full
            distance.forward(losses: &full, student: student, teacher: teacher, rowCount: rows, vocabularySize: v, temperature: 1.5, scratch: scratch)
            distance.forward(losses: &top, student: student, targets: targets, rowCount: rows, scratch: scratch)
            for r in 0..<rows { XCTAssertEqual(top[r], full[r], accuracy: 2e-6 + 1e-5 * abs(full[r]), "\(distance)") }
            var gFull = [Float](repeating: 0, count: rows * v), gTop = gFull
            distance.backward(studentGradient: &gFull, teacherGradient: nil, dLosses: [1, 0.5], student: student, teacher: teacher,
                              rowCount: rows, vocabularySize: v, temperature: 1.5, scratch: scratch)
            distance.backward(studentGradient: &gTop, dLosses: [1, 0.5], student: student, targets: targets, rowCount: rows, scratch: scratch)
            for i in 0..<(rows * v) { XCTAssertEqual(gTop[i], gFull[i], accuracy: 2e-6, "\(distance) gradient \(i)") }
        }
    }

    /// k < V: the loss is the distance between the (k+1)-bucket distributions, and the
    /// gradient w.r.t. every student logit matches finite differences of that definition.
    func testTopKBucketTreatmentAndGradient() throws {
        var random = TestRandom(9)
        let v = 40, tau = 1.25
        let student = random.array(v, scale: 2), teacher = random.array(v, scale: 2)
        for k in [1, 6, v] { try checkBucketTreatmentAndGradient(student: student, teacher: teacher, k: k, tau: tau) }
    }

    private func checkBucketTreatmentAndGradient(student: [Double], teacher: [Double], k: Int, tau: Double) throws {
        let v = student.count
        let targets = try TopKTargets(teacherLogits: teacher.map(Float.init), rowCount: 1, vocabularySize: v, k: k, temperature: Float(tau))
        let ids = targets.ids.map(Int.init)
        let scratch = KernelScratch()
        for distance in allDistances {
            let (p, q) = Reference.buckets(student: student, teacher: teacher, ids: ids, tau: tau)
            var loss: Float = 0
            distance.forward(losses: &loss, student: student.map(Float.init), targets: targets, rowCount: 1, scratch: scratch)
            XCTAssertEqual(Double(loss), Reference.distance(distance, p: p, q: q), accuracy: 1e-5, "\(distance) k=\(k)")
            var weights: (Double, Double)? = nil
            if case .adaptiveKL(let a) = distance { weights = Reference.adaptiveWeights(p: p, q: q, alpha: Double(a)) }
            var gradient = [Float](repeating: 0.25, count: v)   // accumulates onto 0.25
            distance.backward(studentGradient: &gradient, dLosses: [2], student: student.map(Float.init), targets: targets, rowCount: 1, scratch: scratch)
            var worst = 0.0, largest = 0.0
            for i in 0..<v {
                let fd = 2 * Reference.derivative({ s in
                    let b = Reference.buckets(student: s, teacher: teacher, ids: ids, tau: tau)
                    return Reference.distance(distance, p: b.p, q: b.q, fixedWeights: weights)
                }, at: student, i)
                worst = max(worst, abs(Double(gradient[i]) - 0.25 - fd)); largest = max(largest, abs(fd))
            }
            XCTAssertGreaterThan(largest, 1e-3, "\(distance) k=\(k)")
            XCTAssertLessThan(worst, 1e-2 * largest + 1e-6, "\(distance) k=\(k): top-k gradient")
        }
    }

    func testReceivedTargetsAreValidated() {
        XCTAssertThrowsError(try TopKTargets(rowCount: 1, k: 2, vocabularySize: 10, temperature: 1, ids: [3, 3], logProbabilities: [-1, -1], tailMass: [0.2]))
        XCTAssertThrowsError(try TopKTargets(rowCount: 1, k: 2, vocabularySize: 10, temperature: 1, ids: [3, 10], logProbabilities: [-1, -1], tailMass: [0.2])) { error in
            XCTAssertTrue("\(error)".contains("token id 10"), "\(error)")
        }
        XCTAssertThrowsError(try TopKTargets(rowCount: 2, k: 2, vocabularySize: 10, temperature: 1, ids: [3, 4], logProbabilities: [-1, -1], tailMass: [0.2]))
        XCTAssertNoThrow(try TopKTargets(rowCount: 1, k: 2, vocabularySize: 10, temperature: 1, ids: [3, 4], logProbabilities: [-1, -2], tailMass: [0.2]))
    }
}
