import XCTest
import Foundation
import Distillation
import Engine

final class DistanceTests: XCTestCase {
    func testFastExpAndLogMatchFoundation() {
        var worstExp = 0.0, worstLog = 0.0
        var x = -87.0
        while x < 88 {
            let lanes = Lanes((0..<Lanes.scalarCount).map { Float(x + Double($0) * 0.0137) })
            let e = VectorMath.expUnderflowingToZero(lanes)
            for l in 0..<Lanes.scalarCount {
                let reference = Foundation.exp(Double(lanes[l]))
                worstExp = max(worstExp, abs(Double(e[l]) - reference) / reference)
            }
            x += 0.377
        }
        var y = 1e-44
        while y < 1e30 {
            let lanes = Lanes((0..<Lanes.scalarCount).map { Float(y * (1 + Double($0) * 0.031)) })
            let g = VectorMath.log(lanes)
            for l in 0..<Lanes.scalarCount where lanes[l] > 0 {
                let reference = Foundation.log(Double(lanes[l]))
                worstLog = max(worstLog, abs(Double(g[l]) - reference) / max(abs(reference), 1))
            }
            y *= 1.9
        }
        XCTAssertLessThan(worstExp, 3e-7, "fast exp relative error")
        XCTAssertLessThan(worstLog, 3e-7, "fast log error")
        XCTAssertEqual(VectorMath.expUnderflowingToZero(Lanes(repeating: -.infinity))[0], 0)
        XCTAssertEqual(VectorMath.log(Lanes(repeating: 0))[0], -.infinity)
    }

    /// p = (½, ¼, ¼), q = (¼, ½, ¼) given as log-probabilities (τ = 1):
    /// FKL = ½ln2 − ¼ln2 = ¼ln2, RKL = ¼ln2, TVD = ¼; JS, skewed KLs, AKL by hand below.
    func testHandComputedThreeTokenValues() {
        let teacher: [Float] = [log(0.5), log(0.25), log(0.25)]
        let student: [Float] = [log(0.25), log(0.5), log(0.25)]
        let ln2 = Foundation.log(2.0)
        let m = [0.375, 0.375, 0.25]
        let js = 0.5 * (0.5 * log(0.5 / m[0]) + 0.25 * log(0.25 / m[1])) + 0.5 * (0.25 * log(0.25 / m[0]) + 0.5 * log(0.5 / m[1]))
        // sfkl: mix = 0.1 p + 0.9 q = (0.275, 0.475, 0.25)
        let sfkl = 0.5 * log(0.5 / 0.275) + 0.25 * log(0.25 / 0.475)
        // srkl: mix = 0.9 p + 0.1 q = (0.475, 0.275, 0.25)
        let srkl = 0.25 * log(0.25 / 0.475) + 0.5 * log(0.5 / 0.275)
        // akl: ascending p = (¼ [id 1], ¼ [id 2], ½ [id 0]); cumsum ¼, ½, 1 → tail {1, 2}, head {0};
        // gaps: id1 ¼, id2 0, id0 ¼ → w_head = w_tail = ½ → AKL = ½FKL + ½RKL = ¼ln2
        let expected: [(Distance, Double)] = [(.forwardKL, 0.25 * ln2), (.reverseKL, 0.25 * ln2), (.jensenShannon, js),
                                              (.skewedForwardKL(skew: 0.1), sfkl), (.skewedReverseKL(skew: 0.1), srkl),
                                              (.adaptiveKL(alpha: 0.5), 0.25 * ln2), (.totalVariation, 0.25)]
        let scratch = KernelScratch()
        for (distance, value) in expected {
            var loss: Float = 0
            distance.forward(losses: &loss, student: student, teacher: teacher, rowCount: 1, vocabularySize: 3,
                             temperature: 1, scratch: scratch)
            XCTAssertEqual(Double(loss), value, accuracy: 2e-6, "\(distance)")
        }
    }

    func testForwardMatchesDoubleReferenceWithTemperature() {
        var random = TestRandom(7)
        let v = 37, rows = 3, tau = 1.7
        let student = random.array(rows * v, scale: 2), teacher = random.array(rows * v, scale: 2)
        let scratch = KernelScratch()
        for distance in allDistances {
            var losses = [Float](repeating: 0, count: rows)
            distance.forward(losses: &losses, student: student.map(Float.init), teacher: teacher.map(Float.init),
                             rowCount: rows, vocabularySize: v, temperature: Float(tau), scratch: scratch)
            for r in 0..<rows {
                let s = Array(student[r * v..<(r + 1) * v]), t = Array(teacher[r * v..<(r + 1) * v])
                let reference = Reference.rowLoss(distance, student: s, teacher: t, tau: tau)
                XCTAssertEqual(Double(losses[r]), reference, accuracy: 1e-5 + 1e-4 * reference, "\(distance) row \(r)")
            }
        }
    }

    func testGradientsMatchFiniteDifferencesOfDoubleReference() {
        var random = TestRandom(11)
        let v = 29, tau = 1.3
        let student = random.array(v, scale: 1.5), teacher = random.array(v, scale: 1.5)
        let scratch = KernelScratch()
        for distance in allDistances {
            var dStudent = [Float](repeating: 0, count: v), dTeacher = [Float](repeating: 0, count: v)
            let dLoss: Float = 0.7
            distance.backward(studentGradient: &dStudent, teacherGradient: &dTeacher, dLosses: [dLoss],
                              student: student.map(Float.init), teacher: teacher.map(Float.init),
                              rowCount: 1, vocabularySize: v, temperature: Float(tau), scratch: scratch)
            let weights = Reference.fullWeights(distance, student: student, teacher: teacher, tau: tau)
            var worst = 0.0, largest = 0.0
            for i in 0..<v {
                let ds = 0.7 * Reference.derivative({ Reference.rowLoss(distance, student: $0, teacher: teacher, tau: tau, fixedWeights: weights) }, at: student, i)
                let dt = 0.7 * Reference.derivative({ Reference.rowLoss(distance, student: student, teacher: $0, tau: tau, fixedWeights: weights) }, at: teacher, i)
                worst = max(worst, abs(Double(dStudent[i]) - ds), abs(Double(dTeacher[i]) - dt))
                largest = max(largest, abs(ds), abs(dt))
            }
            XCTAssertGreaterThan(largest, 1e-3, "\(distance): the check must see a non-trivial gradient")
            XCTAssertLessThan(worst, 1e-2 * largest + 1e-6, "\(distance): gradient vs finite differences")
        }
    }

    func testZeroWhenTeacherEqualsStudent() {
        var random = TestRandom(3)
        let v = 50
        let logits = random.array(2 * v, scale: 3).map(Float.init)
        let scratch = KernelScratch()
        for distance in allDistances {
            var losses: [Float] = [1, 1]
            distance.forward(losses: &losses, student: logits, teacher: logits, rowCount: 2, vocabularySize: v,
                             temperature: 2, scratch: scratch)
            XCTAssertEqual(losses[0], 0, accuracy: 1e-6, "\(distance)")
            XCTAssertEqual(losses[1], 0, accuracy: 1e-6, "\(distance)")
            var gradient = [Float](repeating: 0, count: 2 * v)
            distance.backward(studentGradient: &gradient, teacherGradient: nil, dLosses: [1, 1], student: logits,
                              teacher: logits, rowCount: 2, vocabularySize: v, temperature: 2, scratch: scratch)
            XCTAssertLessThan(gradient.map(abs).max()!, 1e-5, "\(distance): gradient at the minimum")
        }
    }

    func testUnderflowGivesNoNaN() {
        // both sides put ~all mass on one token; the rest underflows to 0 on both sides
        var student = [Float](repeating: -200, count: 20), teacher = [Float](repeating: -300, count: 20)
        student[3] = 100; teacher[3] = 100
        let scratch = KernelScratch()
        for distance in allDistances {
            var loss: Float = .nan
            distance.forward(losses: &loss, student: student, teacher: teacher, rowCount: 1, vocabularySize: 20, temperature: 1, scratch: scratch)
            XCTAssertEqual(loss, 0, accuracy: 1e-6, "\(distance)")
            var gradient = [Float](repeating: 0, count: 20)
            distance.backward(studentGradient: &gradient, teacherGradient: nil, dLosses: [1], student: student, teacher: teacher,
                              rowCount: 1, vocabularySize: 20, temperature: 1, scratch: scratch)
            XCTAssertFalse(gradient.contains { !$0.isFinite }, "\(distance)")
        }
    }

    func testNamesParseAndRejectUnknown() throws {
        for name in Distance.names { XCTAssertEqual(try Distance(name: name).name, name) }
        XCTAssertEqual(try Distance(name: "sfkl"), .skewedForwardKL(skew: 0.1))
        XCTAssertThrowsError(try Distance(name: "kl")) { error in
            XCTAssertTrue("\(error)".contains("unknown distance 'kl'"))
        }
        XCTAssertThrowsError(try Distance(name: "srkl", skew: 1.5))
    }
}
