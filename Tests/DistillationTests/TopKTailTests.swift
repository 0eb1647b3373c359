import XCTest
import Foundation
import Distillation

/// The tail bucket of top-k targets when it underflows or is empty: student tails hundreds of
/// logits below (or one entry far above) the teacher's ids, teacher tails exactly 0 and 1e-16,
/// k = 1 and k = V, every distance; the kernels against the log-space Double reference.
final class TopKTailTests: XCTestCase {
    /// Top-k targets of `rows` teacher rows; `tail` replaces each row's tail mass (the ids'
    /// probabilities rescaled to sum to 1 − tail), nil keeps the selected one.
    static func targets(teacher: [Double], rows: Int, k: Int, tau: Double, tail: Double?) throws -> TopKTargets {
        let v = teacher.count / rows
        let selected = try TopKTargets(teacherLogits: teacher.map(Float.init), rowCount: rows, vocabularySize: v, k: k, temperature: Float(tau))
        guard let tail else { return selected }
        var logProbabilities = [Float]()
        for r in 0..<rows {
            let row = selected.logProbabilities[r * k..<(r + 1) * k].map(Double.init)
            let shift = Reference.logSumExp(row) - log1p(-tail)
            logProbabilities += row.map { Float($0 - shift) }
        }
        return try TopKTargets(rowCount: rows, k: k, vocabularySize: v, temperature: Float(tau), ids: selected.ids,
                               logProbabilities: logProbabilities, tailMass: [Float](repeating: Float(tail), count: rows))
    }

    /// The student row: `base` with every entry outside `ids` moved `spread` down, and with
    /// `oneAbove` the first of them moved `spread` above `base` instead.
    static func extremeStudent(_ base: [Double], ids: [Int], spread: Double, oneAbove: Bool) -> [Double] {
        var student = base
        let tail = base.indices.filter { !ids.contains($0) }
        for i in tail { student[i] -= spread }
        if oneAbove, let first = tail.first { student[first] += 2 * spread }
        return student.map { Double(Float($0)) }      // exactly the values the kernel sees
    }

    func testExtremeRowsAreFiniteAndMatchTheLogSpaceReference() throws {
        var random = TestRandom(41)
        let v = 40, tau = 1.5
        let teacher = random.array(v, scale: 2), base = random.array(v, scale: 2)
        for k in [1, 6] {
            for tail in [nil, 0, 1e-16] as [Double?] {
                let targets = try Self.targets(teacher: teacher, rows: 1, k: k, tau: tau, tail: tail)
                for spread in [100.0, 200, 1000] {
                    for oneAbove in [false, true] {
                        let student = Self.extremeStudent(base, ids: targets.ids.map(Int.init), spread: spread, oneAbove: oneAbove)
                        for distance in allDistances {
                            checkAgainstLogSpaceReference(distance, student: student, targets: targets, tau: tau,
                                                          "\(distance) k=\(k) tail=\(String(describing: tail)) spread=\(spread) above=\(oneAbove)")
                        }
                    }
                }
            }
        }
    }

    /// Loss and gradient of one row against the log-space reference and its finite differences;
    /// for FKL also the closed form Σ_{v ∈ tail} ∂D/∂z_v = (q_tail − p_tail)/τ.
    private func checkAgainstLogSpaceReference(_ distance: Distance, student: [Double], targets: TopKTargets, tau: Double, _ name: String) {
        let ids = targets.ids.map(Int.init)
        let lpIds = targets.logProbabilities.map(Double.init), pTail = Double(targets.tailMass[0])
        let buckets = { (x: [Double]) in
            Reference.logBuckets(student: x, ids: ids, tau: tau, teacherLogProbabilities: lpIds, teacherTail: pTail)
        }
        let b = buckets(student)
        var weights: (Double, Double)? = nil
        if case .adaptiveKL(let a) = distance { weights = Reference.adaptiveWeights(p: b.lp.map(exp), q: b.lq.map(exp), alpha: Double(a)) }
        let reference = Reference.logDistance(distance, lp: b.lp, lq: b.lq, fixedWeights: weights)
        let scratch = KernelScratch()
        var loss: Float = .nan
        distance.forward(losses: &loss, student: student.map(Float.init), targets: targets, rowCount: 1, scratch: scratch)
        XCTAssertTrue(loss.isFinite, "\(name): loss \(loss)")
        XCTAssertEqual(Double(loss), reference, accuracy: 1e-5 + 1e-5 * abs(reference), name)

        var gradient = [Float](repeating: 0.25, count: student.count)   // accumulates onto 0.25
        distance.backward(studentGradient: &gradient, dLosses: [2], student: student.map(Float.init), targets: targets,
                          rowCount: 1, scratch: scratch)
        XCTAssertFalse(gradient.contains { !$0.isFinite }, "\(name): gradient not finite")
        var worst = 0.0, largest = 0.0
        for i in student.indices {
            let fd = 2 * Reference.derivative({ x in
                let bx = buckets(x)
                return Reference.logDistance(distance, lp: bx.lp, lq: bx.lq, fixedWeights: weights)
            }, at: student, i)
            worst = max(worst, abs(Double(gradient[i]) - 0.25 - fd)); largest = max(largest, abs(fd))
        }
        XCTAssertLessThan(worst, 1e-3 * largest + 1e-5, "\(name): gradient vs finite differences")
        if distance == .forwardKL {
            let tailIds = student.indices.filter { !ids.contains($0) }
            let tailGradient = tailIds.reduce(0.0) { $0 + Double(gradient[$1]) - 0.25 }
            let expected = 2 / tau * (exp(b.lq[ids.count]) - (tailIds.isEmpty ? 0 : pTail))
            XCTAssertEqual(tailGradient, expected, accuracy: 1e-5, "\(name): the tail logits' gradient")
        }
    }

    /// k = V: the tail is empty on both sides (a teacher tail of 1e-16 is a rounding residue),
    /// and losses and gradients equal the full-logits path, also for rows with extreme spreads.
    func testTopKAtFullVocabularyEqualsFullLogitsForAnyTailAndSpread() throws {
        var random = TestRandom(43)
        let v = 45, tau = 1.5
        let baseStudent = random.array(v, scale: 2), baseTeacher = random.array(v, scale: 2)
        let scratch = KernelScratch()
        for spread in [0.0, 100, 200, 1000] {
            let student = baseStudent.indices.map { Float(baseStudent[$0] - ($0 % 2 == 0 ? spread : 0)) }
            let teacher = baseTeacher.indices.map { baseTeacher[$0] - ($0 % 3 == 0 ? spread : 0) }
            for tail in [nil, 1e-16] as [Double?] {
                let targets = try Self.targets(teacher: teacher, rows: 1, k: v, tau: tau, tail: tail)
                if tail == nil { XCTAssertEqual(targets.tailMass, [0]) }
                for distance in allDistances {
                    let name = "\(distance) spread=\(spread) tail=\(String(describing: tail))"
                    var full: Float = .nan, top: Float = .nan
                    distance.forward(losses: &full, student: student, teacher: teacher.map(Float.init), rowCount: 1,
                                     vocabularySize: v, temperature: Float(tau), scratch: scratch)
                    distance.forward(losses: &top, student: student, targets: targets, rowCount: 1, scratch: scratch)
                    XCTAssertTrue(top.isFinite, name)
                    XCTAssertEqual(top, full, accuracy: 2e-6 + 1e-5 * abs(full), name)
                    var gFull = [Float](repeating: 0, count: v), gTop = gFull
                    distance.backward(studentGradient: &gFull, teacherGradient: nil, dLosses: [0.5], student: student,
                                      teacher: teacher.map(Float.init), rowCount: 1, vocabularySize: v,
                                      temperature: Float(tau), scratch: scratch)
                    distance.backward(studentGradient: &gTop, dLosses: [0.5], student: student, targets: targets,
                                      rowCount: 1, scratch: scratch)
                    for i in 0..<v { XCTAssertEqual(gTop[i], gFull[i], accuracy: 2e-6 + 1e-5 * abs(gFull[i]), "\(name) gradient \(i)") }
                }
            }
        }
    }

    /// The fused objective's in-place paths (τ = 1 in place, τ = 2 with two scales, τ = 1.5
    /// general) on extreme rows: CE + D and the logit gradient against the references.
    func testObjectivePathsOnExtremeRows() throws {
        var random = TestRandom(47)
        let v = 40, rows = 2, k = 5
        let teacher = random.array(rows * v, scale: 2), base = random.array(rows * v, scale: 2)
        for tau in [1.0, 2.0, 1.5] {
            for tail in [nil, 0, 1e-16] as [Double?] {
                let targets = try Self.targets(teacher: teacher, rows: rows, k: k, tau: tau, tail: tail)
                for spread in [200.0, 1000] {
                    var student = [Double]()
                    for r in 0..<rows {
                        let ids = targets.ids[r * k..<(r + 1) * k].map(Int.init)
                        student += Self.extremeStudent(Array(base[r * v..<(r + 1) * v]), ids: ids, spread: spread, oneAbove: r == 1)
                    }
                    // row 0's label in its tail, row 1's at its best id
                    let tailLabel = (0..<v).first { !targets.ids[0..<k].contains(Int32($0)) }!
                    let labels: [Int32] = [Int32(tailLabel), targets.ids[k]]
                    for distance in allDistances {
                        try checkObjective(distance, student: student, targets: targets, labels: labels, tau: tau,
                                           "\(distance) τ=\(tau) tail=\(String(describing: tail)) spread=\(spread)")
                    }
                }
            }
        }
    }

    private func checkObjective(_ distance: Distance, student: [Double], targets: TopKTargets, labels: [Int32],
                                tau: Double, _ name: String) throws {
        let v = targets.vocabularySize, k = targets.k, rows = labels.count, globalCount = 2.0
        let configuration = try KDConfiguration(distance: distance, temperature: Float(tau), weighting: .interpolated(lambda: 0.5))
        let objective = KnowledgeDistillationObjective(configuration: configuration, usesTopK: true)
        try objective.beginStep(labels: try StepLabels(labels, globalLabelTokenCount: globalCount, vocabularySize: v),
                                targets: .topK(targets), vocabularySize: v)
        var logits = student.map(Float.init)
        let total = objective.lossAndGradient(rowStart: 0, rowCount: rows, logits: &logits, vocabularySize: v)
        XCTAssertTrue(total.isFinite, name)
        XCTAssertFalse(logits.contains { !$0.isFinite }, "\(name): gradient not finite")
        var ce = 0.0, kd = 0.0
        for r in 0..<rows {
            let s = Array(student[r * v..<(r + 1) * v]), label = Int(labels[r])
            let ids = targets.ids[r * k..<(r + 1) * k].map(Int.init)
            let lpIds = targets.logProbabilities[r * k..<(r + 1) * k].map(Double.init)
            let pTail = Double(targets.tailMass[r])
            let buckets = { (x: [Double]) in
                Reference.logBuckets(student: x, ids: ids, tau: tau, teacherLogProbabilities: lpIds, teacherTail: pTail)
            }
            let b = buckets(s)
            var weights: (Double, Double)? = nil
            if case .adaptiveKL(let a) = distance { weights = Reference.adaptiveWeights(p: b.lp.map(exp), q: b.lq.map(exp), alpha: Double(a)) }
            let lossOf = { (x: [Double]) -> Double in
                let bx = buckets(x)
                return Reference.logDistance(distance, lp: bx.lp, lq: bx.lq, fixedWeights: weights)
            }
            ce += Reference.crossEntropy(s, label: label); kd += lossOf(s)
            for i in 0..<v {
                let dce = Reference.derivative({ Reference.crossEntropy($0, label: label) }, at: s, i)
                let expected = 0.5 * (dce + Reference.derivative(lossOf, at: s, i)) / globalCount
                XCTAssertEqual(Double(logits[r * v + i]), expected, accuracy: 1e-4 / globalCount + 1e-4 * abs(expected),
                               "\(name) row \(r) logit \(i)")
            }
        }
        XCTAssertEqual(objective.components["ce"], ce, accuracy: 1e-4 * max(1, ce), name)
        XCTAssertEqual(objective.components["kd"], kd, accuracy: 1e-4 * max(1, kd), name)
    }

    /// The teacher's tail summed with its own shift: tail entries whose every exponential
    /// underflows in float at the row's shift (a gap of 88τ and more) still add up to a normal
    /// float tail mass; a tail 1000 below is 0, the p = 0 convention.
    func testSelectedTailMassBelowTheFloatExponentRange() throws {
        let v = 40, k = 6
        for (tau, gap, expectZero) in [(1.0, 88.0, false), (0.5, 88, false), (1.0, 1000, true)] {
            var teacher = (0..<v).map { 3 - 0.5 * Double($0) }                    // the ids are 0..<k
            for i in k..<v { teacher[i] = 3 - tau * (gap + 0.01 * Double(i)) }
            let targets = try TopKTargets(teacherLogits: teacher.map(Float.init), rowCount: 1, vocabularySize: v, k: k, temperature: Float(tau))
            XCTAssertEqual(targets.ids.map(Int.init), Array(0..<k))
            let lp = Reference.logSoftmax(teacher.map { Double(Float($0)) }, scale: 1 / tau)
            let tail = exp(Reference.logSumExp(Array(lp[k...])))
            if expectZero {
                XCTAssertEqual(targets.tailMass[0], 0)
            } else {
                XCTAssertGreaterThan(tail, 2e-38)                                  // a normal float
                XCTAssertEqual(Double(targets.tailMass[0]), tail, accuracy: 1e-4 * tail, "τ=\(tau)")
            }
            for j in 0..<k { XCTAssertEqual(Double(targets.logProbabilities[j]), lp[j], accuracy: 1e-5) }
        }
    }
}
