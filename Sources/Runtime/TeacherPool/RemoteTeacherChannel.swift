import Foundation
import MPI
import TrainingCore

/// The student side of the teacher pool: receives are posted `prefetchDepth` steps
/// ahead (never past the interval's end), each message is checked for its step and
/// student, and a credit goes back when a message is taken (the teacher's back-pressure).
public final class RemoteTeacherChannel: TeacherChannel {
    let world: Communicator
    let teacherRank: Int
    let studentIndex: Int
    let format: TeacherMessageFormat
    let flow: PoolFlowControl
    private var posted: [(step: Int, buffer: MPIBuffer<UInt32>, request: Request)] = []
    private var credits: [Request] = []
    private var steps: Range<Int> = 0..<0
    private var nextToPost = 0
    /// Buffers of completed receives, reused (at most `flow.prefetchDepth` exist).
    private var spareBuffers: [MPIBuffer<UInt32>] = []

    public init(world: Communicator, teacherRank: Int, studentIndex: Int, format: TeacherMessageFormat,
                flow: PoolFlowControl) {
        self.world = world
        self.teacherRank = teacherRank
        self.studentIndex = studentIndex
        self.format = format
        self.flow = flow
    }

    public func beginInterval(steps: Range<Int>) throws {
        self.steps = steps
        nextToPost = steps.lowerBound
        try postAhead()
    }

    public func outputs(step: Int, batch: SequenceBatch) throws -> TeacherOutputs {
        try postAhead()
        guard let first = posted.first, first.step == step else {
            throw TeacherProtocolError(teacherRank: teacherRank, step: step, problem: "no receive was posted for this step")
        }
        posted.removeFirst()
        let status: MessageStatus?
        do {
            status = try first.request.wait(timeout: flow.timeout)
        } catch let error as MPIError {
            throw TeacherTimeoutError(teacherRank: teacherRank, step: step, seconds: flow.timeout, underlying: error)
        }
        let outputs = try format.decode(first.buffer, count: status?.count ?? 0, expectedStep: step,
                                        expectedStudent: studentIndex, sourceRank: teacherRank)
        spareBuffers.append(first.buffer)
        credits.removeAll { (try? $0.test()) == true }
        credits.append(try world.immediateSend([Int64(step)], to: teacherRank, tag: TeacherCredit.tag(step: step)))
        try postAhead()
        return outputs
    }

    public func endInterval() throws {
        guard posted.isEmpty else {
            throw TeacherProtocolError(teacherRank: teacherRank, step: posted[0].step, problem: "the interval ended with this step's message not taken")
        }
        try Request.waitAll(credits, timeout: flow.timeout)
        credits.removeAll()
    }

    /// Posts receives for the next steps, up to `prefetchDepth` in flight, within the interval.
    private func postAhead() throws {
        while posted.count < flow.prefetchDepth, nextToPost < steps.upperBound {
            let buffer = spareBuffers.popLast() ?? MPIBuffer<UInt32>(repeating: 0, count: format.messageWords)
            let request = try world.immediateReceive(into: buffer, from: teacherRank,
                                                     tag: TeacherMessageFormat.tag(step: nextToPost))
            posted.append((nextToPost, buffer, request))
            nextToPost += 1
        }
    }
}

/// A student waited for its teacher longer than the deadline.
public struct TeacherTimeoutError: Error, CustomStringConvertible {
    public var teacherRank: Int
    public var step: Int
    public var seconds: Duration
    public var underlying: MPIError
    public var description: String {
        "step \(step): teacher rank \(teacherRank) sent nothing within \(seconds) (teacher.timeout_seconds): \(underlying)"
    }
}
