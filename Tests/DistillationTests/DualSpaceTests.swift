import XCTest
import Foundation
import Distillation

/// Double-precision helpers for the dual-space references.
enum Dense {
    /// y (N,out) = x (N,in) · Wᵀ + b with W, b read from the projector buffer.
    static func project(_ x: [Double], rows: Int, _ layout: ProjectorLayout, _ parameters: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: rows * layout.outputSize)
        for r in 0..<rows {
            for o in 0..<layout.outputSize {
                var s = parameters[layout.biasOffset + o]
                for i in 0..<layout.inputSize { s += x[r * layout.inputSize + i] * parameters[layout.offset + o * layout.inputSize + i] }
                y[r * layout.outputSize + o] = s
            }
        }
        return y
    }

    /// (N,M) = a (N,K) · b (M,K)ᵀ.
    static func timesTransposed(_ a: [Double], _ b: [Double], n: Int, m: Int, k: Int) -> [Double] {
        var c = [Double](repeating: 0, count: n * m)
        for i in 0..<n { for j in 0..<m { var s = 0.0; for l in 0..<k { s += a[i * k + l] * b[j * k + l] }; c[i * m + j] = s } }
        return c
    }

    static func row(_ x: [Double], _ r: Int, _ width: Int) -> [Double] { Array(x[r * width..<(r + 1) * width]) }
}

final class DualSpaceTests: XCTestCase {
    let n = 5, dS = 4, dT = 6, v = 11
    let labelValues: [Int32] = [3, 10, -1, 0, 7]
    let globalCount = 6.0

    struct Setup {
        var hS: [Double], hT: [Double], wS: [Double], wT: [Double]
    }

    func makeSetup(seed: UInt64) -> Setup {
        var random = TestRandom(seed)
        return Setup(hS: random.array(n * dS), hT: random.array(n * dT), wS: random.array(v * dS, scale: 0.8), wT: random.array(v * dT, scale: 0.8))
    }

    /// The dskd total with explicit detached copies: WS used live by the student logits and
    /// detached in z_t2s; P_t2s live in ce_t2s and detached inside kd_t2s's teacher role.
    func referenceTotal(_ s: Setup, wSLive: [Double], wSDetached: [Double], pLive: [Double], pDetached: [Double],
                        hS: [Double], layouts: (t2s: ProjectorLayout, s2t: ProjectorLayout),
                        configuration: DualSpaceConfiguration) -> (total: Double, parts: [String: Double]) {
        let tau = Double(configuration.temperature), lambda = Double(configuration.lambda)
        let logits = Dense.timesTransposed(hS, wSLive, n: n, m: v, k: dS)
        let zT2SLive = Dense.timesTransposed(Dense.project(s.hT, rows: n, layouts.t2s, pLive), wSDetached, n: n, m: v, k: dS)
        let zT2SDetached = Dense.timesTransposed(Dense.project(s.hT, rows: n, layouts.t2s, pDetached), wSDetached, n: n, m: v, k: dS)
        let zS2T = Dense.timesTransposed(Dense.project(hS, rows: n, layouts.s2t, pLive), s.wT, n: n, m: v, k: dT)
        let zT = Dense.timesTransposed(s.hT, s.wT, n: n, m: v, k: dT)
        var parts = ["ce": 0.0, "kd_t2s": 0, "ce_t2s": 0, "kd_s2t": 0]
        for r in 0..<n where labelValues[r] >= 0 {
            let y = Int(labelValues[r])
            parts["ce"]! += Reference.crossEntropy(Dense.row(logits, r, v), label: y)
            parts["kd_t2s"]! += Reference.rowLoss(configuration.distance, student: Dense.row(logits, r, v), teacher: Dense.row(zT2SDetached, r, v), tau: tau)
            parts["ce_t2s"]! += Reference.crossEntropy(Dense.row(zT2SLive, r, v), label: y)
            parts["kd_s2t"]! += Reference.rowLoss(.forwardKL, student: Dense.row(zS2T, r, v), teacher: Dense.row(zT, r, v), tau: tau)
        }
        let total = ((1 - lambda) * parts["ce"]! + lambda * (parts["kd_t2s"]! + parts["ce_t2s"]! + parts["kd_s2t"]!)) / globalCount
        return (total, parts)
    }

    func testDualSpaceGradientsAndStopGradients() throws {
        for distance in [Distance.forwardKL, .skewedReverseKL(skew: 0.1)] {
            let s = makeSetup(seed: 41)
            let configuration = try DualSpaceConfiguration(distance: distance, temperature: 2, lambda: 0.5)
            let objective = try DualSpaceObjective(configuration: configuration, studentWidth: dS, teacherWidth: dT, vocabularySize: v,
                                                   teacherHead: s.wT.map(Float.init), seed: 3)
            XCTAssertEqual(objective.teacherRequirements, [.finalHiddenStates, .headMatrix])
            let hS = s.hS.map(Float.init), wS = s.wS.map(Float.init)
            let labels = try StepLabels(labelValues, globalLabelTokenCount: globalCount, vocabularySize: v)
            objective.projectors.zeroGradients()
            try objective.beginStep(labels: labels, studentHidden: hS, teacherHidden: s.hT.map(Float.init), studentHead: wS)
            var logits = Dense.timesTransposed(s.hS, s.wS, n: n, m: v, k: dS).map(Float.init)
            var returned = 0.0
            logits.withUnsafeMutableBufferPointer { z in
                returned += objective.lossAndGradient(rowStart: 0, rowCount: 3, logits: z.baseAddress!, vocabularySize: v)
                returned += objective.lossAndGradient(rowStart: 3, rowCount: 2, logits: z.baseAddress! + 3 * v, vocabularySize: v)
            }
            // the test's "engine": student logits = hS·WSᵀ
            var dHidden = [Float](repeating: 0, count: n * dS), dWS = [Float](repeating: 0, count: v * dS)
            for r in 0..<n { for j in 0..<v { for c in 0..<dS {
                dHidden[r * dS + c] += logits[r * v + j] * wS[j * dS + c]
                dWS[j * dS + c] += logits[r * v + j] * hS[r * dS + c]
            } } }
            objective.addStudentHiddenGradient(into: &dHidden)
            let components = objective.finishStep()

            let parameters = objective.projectors.parameters.map(Double.init)
            let layouts = (objective.projectors.teacherToStudent, objective.projectors.studentToTeacher)
            let reference = referenceTotal(s, wSLive: s.wS, wSDetached: s.wS, pLive: parameters, pDetached: parameters, hS: s.hS, layouts: layouts, configuration: configuration)
            for name in ["ce", "kd_t2s", "ce_t2s", "kd_s2t"] {
                XCTAssertEqual(components[name], reference.parts[name]!, accuracy: 1e-4, "\(distance) \(name)")
            }
            XCTAssertEqual(components["total"] / globalCount, reference.total, accuracy: 1e-5)
            XCTAssertEqual(returned + Double(configuration.lambda) * components["kd_s2t"], components["total"], accuracy: 1e-6)

            func check(_ name: String, analytic: [Float], at x: [Double], _ f: ([Double]) -> Double) {
                var worst = 0.0, largest = 0.0
                for i in x.indices {
                    let fd = Reference.derivative(f, at: x, i, step: 1e-5)
                    worst = max(worst, abs(Double(analytic[i]) - fd)); largest = max(largest, abs(fd))
                }
                XCTAssertGreaterThan(largest, 1e-4, "\(distance) \(name): non-trivial gradient")
                XCTAssertLessThan(worst, 2e-3 * largest + 1e-7, "\(distance) \(name): gradient vs finite differences")
            }
            check("student hidden", analytic: dHidden, at: s.hS) { x in
                referenceTotal(s, wSLive: s.wS, wSDetached: s.wS, pLive: parameters, pDetached: parameters, hS: x, layouts: layouts, configuration: configuration).total
            }
            check("student head (live use only)", analytic: dWS, at: s.wS) { x in
                referenceTotal(s, wSLive: x, wSDetached: s.wS, pLive: parameters, pDetached: parameters, hS: s.hS, layouts: layouts, configuration: configuration).total
            }
            check("projectors", analytic: objective.projectors.gradients, at: parameters) { x in
                referenceTotal(s, wSLive: s.wS, wSDetached: s.wS, pLive: x, pDetached: parameters, hS: s.hS, layouts: layouts, configuration: configuration).total
            }
            // the stop-gradients matter: without them the gradients would differ
            var headGap = 0.0, projectorGap = 0.0
            for i in s.wS.indices {
                let undetached = Reference.derivative({ x in
                    referenceTotal(s, wSLive: x, wSDetached: x, pLive: parameters, pDetached: parameters, hS: s.hS, layouts: layouts, configuration: configuration).total
                }, at: s.wS, i)
                headGap = max(headGap, abs(undetached - Double(dWS[i])))
            }
            for i in layouts.0.offset..<(layouts.0.offset + layouts.0.parameterCount) {
                let undetached = Reference.derivative({ x in
                    referenceTotal(s, wSLive: s.wS, wSDetached: s.wS, pLive: x, pDetached: x, hS: s.hS, layouts: layouts, configuration: configuration).total
                }, at: parameters, i)
                projectorGap = max(projectorGap, abs(undetached - Double(objective.projectors.gradients[i])))
            }
            XCTAssertGreaterThan(headGap, 1e-3, "\(distance): the detached head use must change the gradient if it were live")
            XCTAssertGreaterThan(projectorGap, 1e-3, "\(distance): stopgrad(z_t2s) must change P_t2s's gradient if it were live")
        }
    }

    func testDualSpaceRejectsMismatchedTeacherData() throws {
        let configuration = try DualSpaceConfiguration()
        XCTAssertThrowsError(try DualSpaceObjective(configuration: configuration, studentWidth: 4, teacherWidth: 6, vocabularySize: 11,
                                                    teacherHead: [Float](repeating: 0, count: 10), seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("teacher head matrix"), "\(error)")
        }
        let objective = try DualSpaceObjective(configuration: configuration, studentWidth: 4, teacherWidth: 6, vocabularySize: 11,
                                               teacherHead: [Float](repeating: 0, count: 66), seed: 1)
        let labels = try StepLabels([1, 2], globalLabelTokenCount: 2, vocabularySize: 11)
        let hS = [Float](repeating: 0, count: 8), wS = [Float](repeating: 0, count: 44)
        XCTAssertThrowsError(try objective.beginStep(labels: labels, studentHidden: hS, teacherHidden: [0, 1], studentHead: wS))
    }
}
