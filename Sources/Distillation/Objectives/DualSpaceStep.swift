// The part of a step that `dskd` and `dskd-cma` share (docs/ALGORITHMS.md §2): the labels and
// the student head of the step, h_t2s and its gradient, the teacher-space term's
// bookkeeping, the student-space terms chunk by chunk and the named components.
// The objectives differ only in how they build h_t2s and the teacher-space input, and in
// where their gradients go afterwards.
//
// Shape legend: N = student rows, V = student vocabulary, dS = student width.
//   h_t2s (N,dS) teacher states in the student space    WS (V,dS) student head (detached)
//   z_t2s = h_t2s·stopgrad(WS)ᵀ (rows,V)
// Student-space terms of a chunk (sums over label tokens, divided by the global label count):
//   ce      CE(student, y)                                   → student
//   kd_t2s  D(p = softmax(stopgrad(z_t2s)·teacherScale) ‖ q = softmax(student/τ)) → student
//           (dskd-cma: only where argmax z_t2s = y, counted in t2s_correct)
//   ce_t2s  CE(z_t2s, y)                                     → h_t2s (then the projectors)

/// Per-step state and student-space terms of the dual-space objectives (its members are
/// the module's own; outside it is an opaque part of `DualSpaceDistillation`).
public final class DualSpaceStep {
    let configuration: DualSpaceConfiguration
    let kind: ObjectiveKind
    /// dS and V (the student's).
    let studentWidth: Int, vocabularySize: Int
    /// p-side scale of kd_t2s: 1/τ for dskd, 1/(τ·τ_teacher) for dskd-cma.
    let teacherScale: Float
    /// dskd-cma: kd_t2s only where the projected teacher gets the label right.
    let gatesOnCorrectTeacher: Bool

    private(set) var components = LossComponents()
    private(set) var labels: StepLabels?
    /// (N,dS) ∂total/∂hS of the teacher-space term, valid after `begin`.
    private(set) var studentHiddenGradient: [Float] = []
    /// (N,dS) h_t2s, set by the objective after `begin`; its gradient accumulates chunk by chunk.
    var t2sHidden: [Float] = []
    private(set) var t2sHiddenGradient: [Float] = []
    private var studentHead: UnsafePointer<Float>?   // (V,dS), read only
    private var projected: [Float] = []              // (rows,V) z_t2s / z_s2t
    private var teacherLogits: [Float] = []          // (rows,V) zT
    private let scratch = KernelScratch()
    private let s2tChunkRows = 32

    init(kind: ObjectiveKind, configuration: DualSpaceConfiguration, studentWidth: Int, vocabularySize: Int) {
        self.kind = kind
        self.configuration = configuration
        self.studentWidth = studentWidth; self.vocabularySize = vocabularySize
        gatesOnCorrectTeacher = kind == .dskdCMA
        teacherScale = kind == .dskdCMA ? 1 / (configuration.temperature * configuration.teacherTemperature)
                                        : 1 / configuration.temperature
    }

    /// Starts a step of `labels.values.count` student rows: clears the components and h_t2s's gradient.
    /// `studentHead` (V,dS) must stay valid until `finish`.
    func begin(labels: StepLabels, studentHead: UnsafePointer<Float>) {
        self.labels = labels
        self.studentHead = studentHead
        components = LossComponents()
        for name in kind.componentNames { components[name] = 0 }
        t2sHiddenGradient = [Float](repeating: 0, count: labels.values.count * studentWidth)
    }

    /// The teacher-space term kd_s2t on `hidden` (rows,dT) = the student projected into the
    /// teacher space: WRITES its λ-weighted gradient into `hiddenGradient` and sets the components.
    func teacherSpaceTerm(hidden: [Float], teacherHidden: [Float], teacherHead: [Float], teacherLabels: [Int32],
                          rowCount: Int, teacherWidth: Int, teacherVocabularySize: Int,
                          hiddenGradient: inout [Float]) {
        guard let labels else { preconditionFailure("DualSpaceStep: begin was not called") }
        let weight = configuration.lambda * Float(1 / labels.globalLabelTokenCount)
        let kdS2T = TeacherSpaceDistillation.forwardKL(
            hidden: hidden, teacherHidden: teacherHidden, teacherHead: teacherHead, labels: teacherLabels,
            rowCount: rowCount, teacherWidth: teacherWidth, vocabularySize: teacherVocabularySize,
            temperature: configuration.temperature, weight: weight, chunkRows: s2tChunkRows,
            hiddenGradient: &hiddenGradient, projected: &projected, teacherLogits: &teacherLogits, scratch: scratch)
        components["kd_s2t"] = kdS2T
        components["total"] = Double(configuration.lambda) * kdS2T
    }

    /// Sets ∂total/∂hS (rows,dS) from the teacher-space term's gradient w.r.t. P_s2t(hS)
    /// (rows,dT), going back through P_s2t (whose parameter gradient accumulates).
    func backThroughStudentToTeacher(_ projectors: DualSpaceProjectors, studentHidden: UnsafePointer<Float>,
                                     outputGradient: [Float], rowCount: Int) {
        studentHiddenGradient = [Float](repeating: 0, count: rowCount * studentWidth)
        projectors.backward(projectors.studentToTeacher, input: studentHidden, outputGradient: outputGradient,
                            inputGradient: &studentHiddenGradient, rowCount: rowCount)
    }

    /// Adds the teacher-space gradient ∂total/∂hS (N,dS) into the engine's dHidden.
    func addStudentHiddenGradient(into dHidden: UnsafeMutablePointer<Float>) {
        for i in studentHiddenGradient.indices { dHidden[i] += studentHiddenGradient[i] }
    }

    /// Student-space terms of a chunk of student rows: ce and kd_t2s on the student logits
    /// (overwritten with their gradient), ce_t2s on z_t2s (its gradient added to h_t2s's).
    func lossAndGradient(rowStart: Int, rowCount: Int, logits: UnsafeMutablePointer<Float>, vocabularySize v: Int) -> Double {
        guard let labels, let studentHead else { preconditionFailure("\(kind.rawValue): beginStep was not called") }
        precondition(v == vocabularySize, "\(kind.rawValue): chunk vocabulary \(v) differs from the objective's \(vocabularySize)")
        let dS = studentWidth
        if projected.count < rowCount * v { projected = [Float](repeating: 0, count: rowCount * v) }
        t2sHidden.withUnsafeBufferPointer { h in
            Matrix.multiplyTransposed(h.baseAddress! + rowStart * dS, studentHead, into: &projected, m: rowCount, n: v, k: dS)
        }
        let lambda = configuration.lambda
        let scale = Float(1 / labels.globalLabelTokenCount)
        let studentScale = 1 / configuration.temperature
        var ce = 0.0, kd = 0.0, ceT2S = 0.0, correct = 0.0
        projected.withUnsafeMutableBufferPointer { z in
            for r in 0..<rowCount {
                let row = logits + r * v, t2sRow = z.baseAddress! + r * v
                let label = Int(labels.values[rowStart + r])
                guard label >= 0 else {
                    row.update(repeating: 0, count: v); t2sRow.update(repeating: 0, count: v); continue
                }
                if !gatesOnCorrectTeacher || Self.argmax(t2sRow, count: v) == label {
                    correct += 1
                    let losses = configuration.distance.fullRow(
                        z: row, t: t2sRow, count: v, studentScale: studentScale, teacherScale: teacherScale, label: label,
                        crossEntropyWeight: (1 - lambda) * scale, distanceWeight: lambda * scale,
                        gradient: RowGradient(row, accumulate: false), teacherGradient: nil, scratch: scratch)
                    ce += losses.crossEntropy; kd += losses.distance
                } else {
                    ce += RowKernels.crossEntropy(z: row, count: v, label: label, weight: (1 - lambda) * scale,
                                                  gradient: RowGradient(row, accumulate: false))
                }
                ceT2S += RowKernels.crossEntropy(z: t2sRow, count: v, label: label, weight: lambda * scale,
                                                 gradient: RowGradient(t2sRow, accumulate: false))
            }
        }
        t2sHiddenGradient.withUnsafeMutableBufferPointer { dh in
            Matrix.multiply(projected, studentHead, into: dh.baseAddress! + rowStart * dS, m: rowCount, n: dS, k: v, beta: 1)
        }
        let total = Double(1 - lambda) * ce + Double(lambda) * (kd + ceT2S)
        components.add("ce", ce); components.add("kd_t2s", kd); components.add("ce_t2s", ceT2S)
        if gatesOnCorrectTeacher { components.add("t2s_correct", correct) }
        components.add("total", total)
        return total
    }

    /// Ends the step (the student head is no longer read); returns the components.
    func finish() -> LossComponents {
        studentHead = nil
        return components
    }

    /// The first index of the largest of `count` values.
    private static func argmax(_ x: UnsafeMutablePointer<Float>, count: Int) -> Int {
        var best = 0
        for j in 1..<count where x[j] > x[best] { best = j }
        return best
    }
}
