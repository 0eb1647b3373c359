// `dskd`: dual-space KD for a student and teacher sharing a vocabulary
// (ALGORITHMS.md §2, DSKD's dual_space_kd.py).
//
// Shape legend: N = B·T rows, V = shared vocabulary, dS / dT = student / teacher width.
//   hS (N,dS) student final normed hidden states (engine activations)
//   hT (N,dT) teacher final normed hidden states     WS (V,dS), WT (V,dT) heads
//   g = P_t2s(hT) (N,dS)      z_t2s = g·stopgrad(WS)ᵀ (rows,V)
//   u = P_s2t(hS) (N,dT)      z_s2t = u·stopgrad(WT)ᵀ (rows,V)    zT = hT·WTᵀ (rows,V)
//
// Terms (sums over label tokens, divided by the global label count):
//   ce      CE(student logits, y)                       → student
//   kd_t2s  D(p = softmax(stopgrad(z_t2s)/τ) ‖ q = softmax(student/τ))  → student only
//   ce_t2s  CE(z_t2s, y)                                → P_t2s only (WS detached)
//   kd_s2t  FKL(p = softmax(zT/τ) ‖ q = softmax(z_s2t/τ)) → P_s2t and hS (WT, hT fixed)
//   total = (1 − λ)·ce + λ·(kd_t2s + ce_t2s + kd_s2t)
// The trainable side of every KD term is the q side; no term needs a gradient
// w.r.t. its p side, and the teacher inputs receive none.
//
// Step protocol: beginStep (after the student forward: computes kd_s2t whole and
// the student-hidden gradient), then lossAndGradient per chunk of student logits,
// then addStudentHiddenGradient(into:) before the engine's backward, finishStep.

/// Dual-space KD, same vocabulary; components `ce`, `kd_t2s`, `ce_t2s`, `kd_s2t`, `total`.
public final class DualSpaceObjective: ChunkedObjective {
    /// The settings.
    public let configuration: DualSpaceConfiguration
    /// dS, dT, V.
    public let studentWidth: Int, teacherWidth: Int, vocabularySize: Int
    /// P_t2s and P_s2t with their parameter and gradient buffers (the caller zeroes gradients).
    public let projectors: DualSpaceProjectors
    public var teacherRequirements: TeacherRequirements { ObjectiveKind.dskd.teacherRequirements() }
    public private(set) var components = LossComponents()
    /// (N,dS) ∂total/∂hS of the teacher-space term, valid after beginStep.
    public private(set) var studentHiddenGradient: [Float] = []

    private let teacherHead: [Float]                 // (V,dT)
    private var labels: StepLabels?
    private var teacherHidden: [Float] = []          // (N,dT)
    private var studentHead: UnsafePointer<Float>?   // (V,dS), read only
    private var t2sHidden: [Float] = []              // (N,dS)
    private var t2sHiddenGradient: [Float] = []      // (N,dS)
    private var projected: [Float] = []              // (rows,V) z_t2s / z_s2t
    private var teacherLogits: [Float] = []          // (rows,V) zT
    private let scratch = KernelScratch()
    private let s2tChunkRows = 32

    /// An objective with fresh projectors (seeded) and the teacher's head matrix (V,dT).
    public init(configuration: DualSpaceConfiguration, studentWidth: Int, teacherWidth: Int, vocabularySize: Int,
                teacherHead: [Float], seed: UInt64) throws {
        guard teacherHead.count == vocabularySize * teacherWidth else {
            throw DistillationError.sizeMismatch("teacher head matrix (V,dT)", expected: vocabularySize * teacherWidth, got: teacherHead.count)
        }
        self.configuration = configuration
        self.studentWidth = studentWidth; self.teacherWidth = teacherWidth; self.vocabularySize = vocabularySize
        self.teacherHead = teacherHead
        projectors = DualSpaceProjectors(studentWidth: studentWidth, teacherWidth: teacherWidth, withQuery: false,
                                         learningRate: configuration.projectorLearningRate, seed: seed)
    }

    /// Starts a step: computes the teacher-space term `kd_s2t` whole (accumulating P_s2t's
    /// gradient and `studentHiddenGradient`) and the projected teacher states P_t2s(hT).
    /// `studentHidden` (N,dS) and `studentHead` (V,dS) must stay valid until `finishStep`.
    public func beginStep(labels: StepLabels, studentHidden: UnsafePointer<Float>, teacherHidden: [Float],
                          studentHead: UnsafePointer<Float>) throws {
        let n = labels.values.count, dS = studentWidth, dT = teacherWidth, v = vocabularySize
        guard teacherHidden.count == n * dT else { throw DistillationError.sizeMismatch("teacher hidden states (N,dT)", expected: n * dT, got: teacherHidden.count) }
        self.labels = labels
        self.teacherHidden = teacherHidden
        self.studentHead = studentHead
        components = LossComponents()
        for name in ["ce", "kd_t2s", "ce_t2s", "kd_s2t", "total"] { components[name] = 0 }

        t2sHidden = [Float](repeating: 0, count: n * dS)
        t2sHiddenGradient = [Float](repeating: 0, count: n * dS)
        teacherHidden.withUnsafeBufferPointer { hT in
            projectors.forward(projectors.teacherToStudent, input: hT.baseAddress!, output: &t2sHidden, rowCount: n)
        }

        // teacher space: kd_s2t
        var u = [Float](repeating: 0, count: n * dT), du = u
        projectors.forward(projectors.studentToTeacher, input: studentHidden, output: &u, rowCount: n)
        let weight = configuration.lambda * Float(1 / labels.globalLabelTokenCount)
        let kdS2T = TeacherSpaceDistillation.forwardKL(
            hidden: u, teacherHidden: teacherHidden, teacherHead: teacherHead, labels: labels.values,
            rowCount: n, teacherWidth: dT, vocabularySize: v, temperature: configuration.temperature, weight: weight,
            chunkRows: s2tChunkRows, hiddenGradient: &du, projected: &projected, teacherLogits: &teacherLogits,
            scratch: scratch)
        studentHiddenGradient = [Float](repeating: 0, count: n * dS)
        projectors.backward(projectors.studentToTeacher, input: studentHidden, outputGradient: du,
                            inputGradient: &studentHiddenGradient, rowCount: n)
        components["kd_s2t"] = kdS2T
        components["total"] = Double(configuration.lambda) * kdS2T
    }

    /// Adds the teacher-space gradient ∂total/∂hS (N,dS) into the engine's dHidden.
    public func addStudentHiddenGradient(into dHidden: UnsafeMutablePointer<Float>) {
        for i in studentHiddenGradient.indices { dHidden[i] += studentHiddenGradient[i] }
    }

    /// Student-space terms of a chunk: ce and kd_t2s on the student logits (overwritten with
    /// their gradient), ce_t2s on z_t2s (its gradient flows to P_t2s at `finishStep`).
    public func lossAndGradient(rowStart: Int, rowCount: Int, logits: UnsafeMutablePointer<Float>, vocabularySize v: Int) -> Double {
        guard let labels, let studentHead else { preconditionFailure("DualSpaceObjective: beginStep was not called") }
        precondition(v == vocabularySize, "DualSpaceObjective: chunk vocabulary \(v) differs from the objective's \(vocabularySize)")
        let dS = studentWidth
        if projected.count < rowCount * v { projected = [Float](repeating: 0, count: rowCount * v) }
        t2sHidden.withUnsafeBufferPointer { g in
            Matrix.multiplyTransposed(g.baseAddress! + rowStart * dS, studentHead, into: &projected, m: rowCount, n: v, k: dS)
        }
        let lambda = configuration.lambda
        let scale = Float(1 / labels.globalLabelTokenCount)
        let tauScale = 1 / configuration.temperature
        var ce = 0.0, kd = 0.0, ceT2S = 0.0
        projected.withUnsafeMutableBufferPointer { zT2S in
            for r in 0..<rowCount {
                let row = logits + r * v, t2sRow = zT2S.baseAddress! + r * v
                let label = Int(labels.values[rowStart + r])
                guard label >= 0 else {
                    row.update(repeating: 0, count: v); t2sRow.update(repeating: 0, count: v); continue
                }
                let losses = configuration.distance.fullRow(
                    z: row, t: t2sRow, count: v, studentScale: tauScale, teacherScale: tauScale, label: label,
                    crossEntropyWeight: (1 - lambda) * scale, distanceWeight: lambda * scale,
                    gradient: RowGradient(row, accumulate: false), teacherGradient: nil, scratch: scratch)
                ce += losses.crossEntropy; kd += losses.distance
                ceT2S += RowKernels.crossEntropy(z: t2sRow, count: v, label: label, weight: lambda * scale,
                                                 gradient: RowGradient(t2sRow, accumulate: false))
            }
        }
        t2sHiddenGradient.withUnsafeMutableBufferPointer { dg in
            Matrix.multiply(projected, studentHead, into: dg.baseAddress! + rowStart * dS, m: rowCount, n: dS, k: v, beta: 1)
        }
        let total = Double(1 - lambda) * ce + Double(lambda) * (kd + ceT2S)
        components.add("ce", ce); components.add("kd_t2s", kd); components.add("ce_t2s", ceT2S)
        components.add("total", total)
        return total
    }

    /// Ends the step: backpropagates ce_t2s into P_t2s's gradient; returns the components.
    @discardableResult
    public func finishStep() -> LossComponents {
        let n = labels?.values.count ?? 0
        teacherHidden.withUnsafeBufferPointer { hT in
            projectors.backward(projectors.teacherToStudent, input: hT.baseAddress!, outputGradient: t2sHiddenGradient,
                                inputGradient: nil, rowCount: n)
        }
        studentHead = nil
        return components
    }
}
