import Foundation

/// Where a student gets its teacher outputs: from its teacher rank (`RemoteTeacherChannel`)
/// or, when one process holds every role, from a teacher in the same process
/// (`LocalTeacherChannel`).
public protocol TeacherChannel: AnyObject {
    /// A DDK interval starts: `steps` will be asked for in order.
    func beginInterval(steps: Range<Int>) throws
    /// The outputs for `step`; `batch` is this student's share (used by a local teacher).
    func outputs(step: Int, batch: SequenceBatch) throws -> TeacherOutputs
    /// The interval ended: complete whatever is still in flight.
    func endInterval() throws
}

/// One process holds every role: the student asks the teacher directly.
public final class LocalTeacherChannel: TeacherChannel {
    let worker: TeacherWorker
    let studentIndex: Int

    public init(worker: TeacherWorker, studentIndex: Int) {
        self.worker = worker
        self.studentIndex = studentIndex
    }

    public func beginInterval(steps: Range<Int>) throws {}

    public func outputs(step: Int, batch: SequenceBatch) throws -> TeacherOutputs {
        try worker.outputs(for: batch, step: step, studentIndex: studentIndex)
    }

    public func endInterval() throws {}
}
