import Distillation

/// `teacher.source = "store"`: a student reads its teacher outputs (top-k targets) from a
/// teacher-target store made by `ddk capture`; no rank runs the teacher.
public final class StoreTeacherChannel: TeacherChannel {
    let store: TargetStore
    let studentIndex: Int

    public init(store: TargetStore, studentIndex: Int) {
        self.store = store
        self.studentIndex = studentIndex
    }

    public func beginInterval(steps: Range<Int>) throws {}

    public func outputs(step: Int, batch: SequenceBatch) throws -> TeacherOutputs {
        guard let origins = batch.origins else {
            throw DistillationError.missingTeacherData("the batch's sequence origins (a stored teacher reads targets by them)")
        }
        return TeacherOutputs(step: step, studentIndex: studentIndex, rows: batch.labelCount,
                              topK: try store.targets(of: origins))
    }

    public func endInterval() throws {}
}
