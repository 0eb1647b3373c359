// `dskd`: dual-space KD for a student and teacher sharing a vocabulary
// (docs/ALGORITHMS.md §2).
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
// Step protocol (`DualSpaceDistillation`): beginStep (after the student forward: computes
// kd_s2t whole and the student-hidden gradient), then lossAndGradient per chunk of student
// logits, then addStudentHiddenGradient(into:) before the engine's backward, finishStep.
// The student-space terms and the step's bookkeeping are `DualSpaceStep`'s.

import Engine

/// Dual-space KD, same vocabulary; components `ce`, `kd_t2s`, `ce_t2s`, `kd_s2t`, `total`.
public final class DualSpaceObjective: DualSpaceDistillation {
    public let kind = ObjectiveKind.dskd
    /// The settings.
    public var configuration: DualSpaceConfiguration { dualSpaceStep.configuration }
    /// dS, dT, V.
    public let studentWidth: Int, teacherWidth: Int, vocabularySize: Int
    /// P_t2s and P_s2t with their parameter and gradient buffers
    /// (`lossAndGradients` zeroes the gradients; step-by-step callers zero them).
    public let projectors: DualSpaceProjectors
    public var teacherRequirements: TeacherRequirements { kind.teacherRequirements() }

    public let dualSpaceStep: DualSpaceStep
    private let teacherHead: [Float]                 // (V,dT)
    private var teacherHidden: [Float] = []          // (N,dT)

    /// An objective with fresh projectors (seeded) and the teacher's head matrix (V,dT).
    public init(configuration: DualSpaceConfiguration, studentWidth: Int, teacherWidth: Int, vocabularySize: Int,
                teacherHead: [Float], seed: UInt64) throws {
        guard teacherHead.count == vocabularySize * teacherWidth else {
            throw DistillationError.sizeMismatch("teacher head matrix (V,dT)", expected: vocabularySize * teacherWidth, got: teacherHead.count)
        }
        dualSpaceStep = DualSpaceStep(kind: .dskd, configuration: configuration, studentWidth: studentWidth, vocabularySize: vocabularySize)
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
        let n = labels.values.count, dS = studentWidth, dT = teacherWidth
        guard teacherHidden.count == n * dT else { throw DistillationError.sizeMismatch("teacher hidden states (N,dT)", expected: n * dT, got: teacherHidden.count) }
        self.teacherHidden = teacherHidden
        dualSpaceStep.begin(labels: labels, studentHead: studentHead)

        var t2sHidden = [Float](repeating: 0, count: n * dS)
        teacherHidden.withUnsafeBufferPointer { hT in
            projectors.forward(projectors.teacherToStudent, input: hT.baseAddress!, output: &t2sHidden, rowCount: n)
        }
        dualSpaceStep.t2sHidden = t2sHidden

        // teacher space: kd_s2t
        var u = [Float](repeating: 0, count: n * dT), du = u
        projectors.forward(projectors.studentToTeacher, input: studentHidden, output: &u, rowCount: n)
        dualSpaceStep.teacherSpaceTerm(hidden: u, teacherHidden: teacherHidden, teacherHead: teacherHead,
                                       teacherLabels: labels.values, rowCount: n, teacherWidth: dT,
                                       teacherVocabularySize: vocabularySize, hiddenGradient: &du)
        dualSpaceStep.backThroughStudentToTeacher(projectors, studentHidden: studentHidden, outputGradient: du, rowCount: n)
    }

    /// `beginStep` on `model`'s last forward pass with the teacher's hidden states.
    public func beginStep(model: LlamaModel, batch: ObjectiveBatch, teacher: TeacherOutputsView?) throws {
        try beginStep(labels: batch.labels, studentHidden: model.hiddenStates.baseAddress!,
                      teacherHidden: try Self.teacherHidden(teacher), studentHead: model.lmHeadWeight.baseAddress!)
    }

    /// Ends the step: backpropagates ce_t2s into P_t2s's gradient; returns the components.
    @discardableResult
    public func finishStep() -> LossComponents {
        let n = dualSpaceStep.labels?.values.count ?? 0
        teacherHidden.withUnsafeBufferPointer { hT in
            projectors.backward(projectors.teacherToStudent, input: hT.baseAddress!, outputGradient: dualSpaceStep.t2sHiddenGradient,
                                inputGradient: nil, rowCount: n)
        }
        return dualSpaceStep.finish()
    }
}
