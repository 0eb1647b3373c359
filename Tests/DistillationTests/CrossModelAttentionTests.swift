import XCTest
import Foundation
import Distillation

final class CrossModelAttentionTests: XCTestCase {
    // B = 2 sequences, TS = 4 student positions, TT = 5 teacher positions
    let b = 2, ts = 4, tt = 5, dS = 3, dT = 4, vS = 4, vT = 6
    let studentInputs: [Int32] = [0, 1, 2, 3, 3, 2, 1, 0]
    let studentLabels: [Int32] = [1, 2, 3, 0, 2, 1, 0, -1]
    let teacherInputs: [Int32] = [5, 4, 3, 2, 1, 0, 1, 2, 3, 4]
    let teacherLabels: [Int32] = [4, 3, 2, 1, -1, 1, 2, 3, 4, 5]
    let globalCount = 7.0

    struct Data {
        var hS: [Double], hT: [Double], eS: [Double], wS: [Double], eT: [Double], wT: [Double]
    }

    /// Unbiased std of all elements.
    static func std(_ x: [Double]) -> Double {
        let mean = x.reduce(0, +) / Double(x.count)
        return (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)).squareRoot()
    }

    static func softmax(_ x: [Double]) -> [Double] {
        let m = x.max()!
        let e = x.map { exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// The dskd-cma total in double precision, straight from the formulas, with `pDetached`
    /// and `wSDetached` used wherever the reference puts a stop-gradient.
    func referenceTotal(_ d: Data, hS: [Double], wSLive: [Double], wSDetached: [Double], pLive: [Double], pDetached: [Double],
                        projectors: DualSpaceProjectors, configuration: DualSpaceConfiguration) -> (total: Double, parts: [String: Double]) {
        let ns = b * ts, nt = b * tt
        func formal(_ ids: [Int32], _ labels: [Int32], _ i: Int) -> (Int, Int) { labels[i] < 0 ? (0, 0) : (Int(ids[i]), Int(labels[i])) }
        var qIn = [Double](), keys = [Double](), targets = [Double]()
        for i in 0..<ns {
            let (x, y) = formal(studentInputs, studentLabels, i)
            qIn += Dense.row(d.eS, x, dS) + Dense.row(d.eS, y, dS)
        }
        for j in 0..<nt {
            let (x, y) = formal(teacherInputs, teacherLabels, j)
            keys += Dense.row(d.eT, x, dT) + Dense.row(d.eT, y, dT)
            targets += Dense.row(d.eT, y, dT)
        }
        let keyStd = Self.std(keys), hiddenStd = Self.std(d.hT), targetStd = Self.std(targets)
        keys = keys.map { $0 / keyStd }
        let vIn = (0..<(nt * dT)).map { d.hT[$0] / hiddenStd + targets[$0] / targetStd }

        func studentSpace(_ p: [Double]) -> [Double] {   // h_t2s (NS,dS)
            let q = Dense.project(qIn, rows: ns, projectors.query!, p)
            let vt = Dense.project(vIn, rows: nt, projectors.teacherToStudent, p)
            var h = [Double](repeating: 0, count: ns * dS)
            for s in 0..<b { for i in 0..<ts {
                var scores = [Double](repeating: 0, count: tt)
                for j in 0..<tt {
                    var a = 0.0
                    for c in 0..<(2 * dT) { a += q[(s * ts + i) * 2 * dT + c] * keys[(s * tt + j) * 2 * dT + c] }
                    a /= Double(2 * dT).squareRoot()
                    if studentLabels[s * ts + i] < 0 || teacherLabels[s * tt + j] < 0 { a += -1e5 }
                    scores[j] = a
                }
                let w = Self.softmax(scores)
                for j in 0..<tt { for c in 0..<dS { h[(s * ts + i) * dS + c] += w[j] * vt[(s * tt + j) * dS + c] } }
            } }
            return h
        }
        func teacherSpace(_ p: [Double], _ hidden: [Double]) -> [Double] {   // h_s2t (NT,dT)
            let q = Dense.project(qIn, rows: ns, projectors.query!, p)
            let vs = Dense.project(hidden, rows: ns, projectors.studentToTeacher, p)
            var h = [Double](repeating: 0, count: nt * dT)
            for s in 0..<b { for j in 0..<tt {
                var scores = [Double](repeating: 0, count: ts)
                for i in 0..<ts {
                    var a = 0.0
                    for c in 0..<(2 * dT) { a += q[(s * ts + i) * 2 * dT + c] * keys[(s * tt + j) * 2 * dT + c] }
                    a /= Double(2 * dT).squareRoot()
                    if studentLabels[s * ts + i] < 0 || teacherLabels[s * tt + j] < 0 { a += -1e5 }
                    scores[i] = a
                }
                let w = Self.softmax(scores)
                for i in 0..<ts { for c in 0..<dT { h[(s * tt + j) * dT + c] += w[i] * vs[(s * ts + i) * dT + c] } }
            } }
            return h
        }
        let tau = Double(configuration.temperature), lambda = Double(configuration.lambda)
        let logits = Dense.timesTransposed(hS, wSLive, n: ns, m: vS, k: dS)
        let zT2SLive = Dense.timesTransposed(studentSpace(pLive), wSDetached, n: ns, m: vS, k: dS)
        let zT2SDetached = Dense.timesTransposed(studentSpace(pDetached), wSDetached, n: ns, m: vS, k: dS)
        let zS2T = Dense.timesTransposed(teacherSpace(pLive, hS), d.wT, n: nt, m: vT, k: dT)
        let zT = Dense.timesTransposed(d.hT, d.wT, n: nt, m: vT, k: dT)
        var parts = ["ce": 0.0, "kd_t2s": 0, "ce_t2s": 0, "kd_s2t": 0, "t2s_correct": 0]
        for i in 0..<ns where studentLabels[i] >= 0 {
            let y = Int(studentLabels[i])
            parts["ce"]! += Reference.crossEntropy(Dense.row(logits, i, vS), label: y)
            let teacherRow = Dense.row(zT2SDetached, i, vS)
            if teacherRow.indices.max(by: { teacherRow[$0] < teacherRow[$1] }) == y {
                parts["t2s_correct"]! += 1
                // teacher side at τ·τ_teacher: scale the logits by 1/τ_teacher, then both at τ
                parts["kd_t2s"]! += Reference.rowLoss(configuration.distance, student: Dense.row(logits, i, vS),
                                                      teacher: teacherRow.map { $0 / Double(configuration.teacherTemperature) }, tau: tau)
            }
            parts["ce_t2s"]! += Reference.crossEntropy(Dense.row(zT2SLive, i, vS), label: y)
        }
        for j in 0..<nt where teacherLabels[j] >= 0 {
            parts["kd_s2t"]! += Reference.rowLoss(.forwardKL, student: Dense.row(zS2T, j, vT), teacher: Dense.row(zT, j, vT), tau: tau)
        }
        let total = ((1 - lambda) * parts["ce"]! + lambda * (parts["kd_t2s"]! + parts["ce_t2s"]! + parts["kd_s2t"]!)) / globalCount
        return (total, parts)
    }

    func testCrossModelAttentionGradientsAndStopGradients() throws {
        var random = TestRandom(77)
        let d = Data(hS: random.array(b * ts * dS), hT: random.array(b * tt * dT), eS: random.array(vS * dS),
                     wS: random.array(vS * dS), eT: random.array(vT * dT), wT: random.array(vT * dT))
        let configuration = try DualSpaceConfiguration(distance: .reverseKL, temperature: 2, lambda: 0.5, teacherTemperature: 1.5)
        let objective = try CrossModelAttentionObjective(configuration: configuration, studentWidth: dS, teacherWidth: dT,
                                                         studentVocabularySize: vS, teacherVocabularySize: vT,
                                                         teacherHead: d.wT.map(Float.init), teacherEmbeddings: d.eT.map(Float.init), seed: 12)
        XCTAssertTrue(objective.teacherRequirements.isSuperset(of: [.finalHiddenStates, .headMatrix, .embeddings, .tokenIds]))
        let batch = try CrossModelBatch(sequenceCount: b, studentLength: ts, teacherLength: tt, studentInputs: studentInputs,
                                        studentLabels: try StepLabels(studentLabels, globalLabelTokenCount: globalCount, vocabularySize: vS),
                                        teacherInputs: teacherInputs, teacherLabels: teacherLabels,
                                        studentVocabularySize: vS, teacherVocabularySize: vT)
        let hS = d.hS.map(Float.init), wS = d.wS.map(Float.init)
        objective.projectors.zeroGradients()
        try objective.beginStep(batch: batch, studentHidden: hS, teacherHidden: d.hT.map(Float.init),
                                studentEmbeddings: d.eS.map(Float.init), studentHead: wS)
        let ns = b * ts
        var logits = Dense.timesTransposed(d.hS, d.wS, n: ns, m: vS, k: dS).map(Float.init)
        logits.withUnsafeMutableBufferPointer { z in
            _ = objective.lossAndGradient(rowStart: 0, rowCount: 3, logits: z.baseAddress!, vocabularySize: vS)
            _ = objective.lossAndGradient(rowStart: 3, rowCount: 5, logits: z.baseAddress! + 3 * vS, vocabularySize: vS)
        }
        var dHidden = [Float](repeating: 0, count: ns * dS), dWS = [Float](repeating: 0, count: vS * dS)
        for r in 0..<ns { for j in 0..<vS { for c in 0..<dS {
            dHidden[r * dS + c] += logits[r * vS + j] * wS[j * dS + c]
            dWS[j * dS + c] += logits[r * vS + j] * hS[r * dS + c]
        } } }
        objective.addStudentHiddenGradient(into: &dHidden)
        let components = objective.finishStep()

        let parameters = objective.projectors.parameters.map(Double.init)
        let p = objective.projectors
        let reference = referenceTotal(d, hS: d.hS, wSLive: d.wS, wSDetached: d.wS, pLive: parameters, pDetached: parameters, projectors: p, configuration: configuration)
        for name in ["ce", "kd_t2s", "ce_t2s", "kd_s2t", "t2s_correct"] {
            XCTAssertEqual(components[name], reference.parts[name]!, accuracy: 1e-4, name)
        }
        XCTAssertGreaterThan(components["t2s_correct"], 0, "the test data must exercise kd_t2s")
        XCTAssertLessThan(components["t2s_correct"], globalCount, "the test data must exercise the argmax mask")
        XCTAssertEqual(components["total"] / globalCount, reference.total, accuracy: 1e-5)

        func check(_ name: String, analytic: [Float], at x: [Double], indices: Range<Int>? = nil, _ f: ([Double]) -> Double) {
            var worst = 0.0, largest = 0.0
            for i in indices ?? x.indices {
                let fd = Reference.derivative(f, at: x, i, step: 1e-5)
                worst = max(worst, abs(Double(analytic[i]) - fd)); largest = max(largest, abs(fd))
            }
            XCTAssertGreaterThan(largest, 1e-4, "\(name): non-trivial gradient")
            XCTAssertLessThan(worst, 3e-3 * largest + 1e-7, "\(name): gradient vs finite differences")
        }
        check("student hidden", analytic: dHidden, at: d.hS) { x in
            referenceTotal(d, hS: x, wSLive: d.wS, wSDetached: d.wS, pLive: parameters, pDetached: parameters, projectors: p, configuration: configuration).total
        }
        check("student head (live use only)", analytic: dWS, at: d.wS) { x in
            referenceTotal(d, hS: d.hS, wSLive: x, wSDetached: d.wS, pLive: parameters, pDetached: parameters, projectors: p, configuration: configuration).total
        }
        for (name, layout) in [("P_t2s", p.teacherToStudent), ("P_s2t", p.studentToTeacher), ("P_query", p.query!)] {
            check(name, analytic: p.gradients, at: parameters, indices: layout.offset..<(layout.offset + layout.parameterCount)) { x in
                referenceTotal(d, hS: d.hS, wSLive: d.wS, wSDetached: d.wS, pLive: x, pDetached: parameters, projectors: p, configuration: configuration).total
            }
        }
        // without the stop-gradient on z_t2s, P_t2s and P_query would receive other gradients
        var gap = 0.0
        for i in p.teacherToStudent.offset..<(p.teacherToStudent.offset + p.teacherToStudent.parameterCount) {
            let undetached = Reference.derivative({ x in
                referenceTotal(d, hS: d.hS, wSLive: d.wS, wSDetached: d.wS, pLive: x, pDetached: x, projectors: p, configuration: configuration).total
            }, at: parameters, i)
            gap = max(gap, abs(undetached - Double(p.gradients[i])))
        }
        XCTAssertGreaterThan(gap, 1e-3, "stopgrad(z_t2s) must matter for P_t2s")
    }
}
