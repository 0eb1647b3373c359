// The step of the dual-space objectives (`dskd`, `dskd-cma`), written once:
//
//     projectors.zeroGradients()
//     beginStep(model:batch:teacher:)        // teacher-space term whole, dL/dhS, h_t2s
//     model.lmHeadLoss(&objective)           // chunks: ce, kd_t2s, ce_t2s (DualSpaceStep)
//     addStudentHiddenGradient(into: dHidden)
//     finishStep()                           // projector gradients of the student-space terms
//
// Each objective supplies beginStep and finishStep; the student-space terms, the
// components and the hidden-gradient bookkeeping are its `DualSpaceStep`.

import Engine

/// A dual-space objective: trainable projectors between the student and the teacher space.
public protocol DualSpaceDistillation: Objective, ChunkedObjective {
    /// The projectors with their parameter and gradient buffers.
    var projectors: DualSpaceProjectors { get }
    /// The step state and student-space terms (opaque outside the module).
    var dualSpaceStep: DualSpaceStep { get }
    /// Starts a step on `model`'s last forward pass (the terms that need no student logits).
    func beginStep(model: LlamaModel, batch: ObjectiveBatch, teacher: TeacherOutputsView?) throws
    /// Adds the teacher-space gradient ∂total/∂hS into the engine's dHidden.
    func addStudentHiddenGradient(into dHidden: UnsafeMutablePointer<Float>)
    /// Ends the step (projector gradients of the student-space terms); returns the components.
    @discardableResult func finishStep() -> LossComponents
}

extension DualSpaceDistillation {
    public func lossAndGradients(model: LlamaModel, batch: ObjectiveBatch, teacher: TeacherOutputsView?,
                                 computeGradients: Bool = true) throws -> ObjectiveResult {
        projectors.zeroGradients()
        try beginStep(model: model, batch: batch, teacher: teacher)
        let sum = try runLMHead(of: model, computeGradients: computeGradients)
        if computeGradients { addStudentHiddenGradient(into: model.hiddenGradient.baseAddress!) }
        return ObjectiveResult(components: finishStep(), lmHeadSum: sum)
    }
}

extension DualSpaceDistillation {
    /// The teacher's final hidden states, which every dual-space objective reads.
    static func teacherHidden(_ teacher: TeacherOutputsView?) throws -> [Float] {
        guard let hidden = teacher?.hiddenStates else { throw DistillationError.missingTeacherData("final hidden states") }
        return hidden
    }

    public var components: LossComponents { dualSpaceStep.components }
    /// (NS,dS) ∂total/∂hS of the teacher-space term, valid after beginStep.
    public var studentHiddenGradient: [Float] { dualSpaceStep.studentHiddenGradient }

    public func addStudentHiddenGradient(into dHidden: UnsafeMutablePointer<Float>) {
        dualSpaceStep.addStudentHiddenGradient(into: dHidden)
    }

    /// Student-space terms of a chunk of student rows: ce and kd_t2s on the student logits
    /// (overwritten with their gradient), ce_t2s on z_t2s (its gradient flows to the projectors at `finishStep`).
    public func lossAndGradient(rowStart: Int, rowCount: Int, logits: UnsafeMutablePointer<Float>, vocabularySize: Int) -> Double {
        dualSpaceStep.lossAndGradient(rowStart: rowStart, rowCount: rowCount, logits: logits, vocabularySize: vocabularySize)
    }
}
