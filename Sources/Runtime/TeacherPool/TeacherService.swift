import DataPipeline
import Foundation
import MPI
import TrainingCore

/// A teacher rank's side of the pool: for every step of a DDK interval it derives each
/// served student's share of the global batch, runs the teacher on it (on the sequences a
/// teacher-target store does not hold, with `store+live`) and sends the outputs
/// (non-blocking, tagged by step, the step also in the header).
///
/// Back-pressure: a teacher runs at most `flow.prefetchDepth` steps ahead of each student.
/// Before computing step s for a student it waits for that student's credit for step
/// s − d (sent when the student took step s − d's message), so at most d messages per
/// student exist at once whatever MPI's eager/rendezvous protocol does. At the end of
/// an interval the teacher collects the outstanding credits and completes its sends:
/// it drains, because the next interval's batches depend on weights not yet decided.
public final class TeacherService {
    public let worker: TeacherWorker
    let world: Communicator
    /// Student indices served, with their world ranks (student i → teacher i mod P).
    let students: [(index: Int, rank: Int)]
    let flow: PoolFlowControl
    /// With `teacher.source = "store+live"`: the store, whose sequences the teacher skips.
    let store: TargetStore?
    /// How long a credit may take: a student's step may legitimately wait `timeout` for its
    /// teacher and as long in the gradient all-reduce, so the teacher waits longer than both
    /// (2 × timeout + 30 s), and a student blocked on another rank reports that rank first.
    let creditTimeout: Duration
    /// Per served student (same order as `students`): sends not yet complete, steps not yet credited.
    private var pendingSends: [[Request]]
    private var uncreditedSteps: [[Int]]
    /// Seconds spent computing teacher outputs and waiting for credits (for utilization).
    public private(set) var computeSeconds = 0.0
    public private(set) var creditWaitSeconds = 0.0
    /// Tokens this rank ran the teacher on (for the job's model FLOPs).
    public private(set) var tokensComputed = 0

    public init(worker: TeacherWorker, world: Communicator, layout: RoleLayout, flow: PoolFlowControl, store: TargetStore? = nil) {
        self.worker = worker
        self.store = store
        self.world = world
        students = layout.studentIndices(servedByTeacherRank: world.rank).map { ($0, layout.studentRanks[$0]) }
        self.flow = flow
        creditTimeout = flow.timeout * 2 + .seconds(30)
        pendingSends = Array(repeating: [], count: students.count)
        uncreditedSteps = Array(repeating: [], count: students.count)
    }

    /// Computes and sends the outputs of one step for every served student.
    public func serve(step: Int, plan: BatchPlan, assignments: [SequenceAssignment]) throws {
        for (position, student) in students.enumerated() {
            while uncreditedSteps[position].count >= flow.prefetchDepth {
                try awaitCredit(position)
            }
            let started = Date()
            var batch = plan.batch(of: assignments, studentIndex: student.index)
            if let store, let origins = batch.origins {
                batch = batch.selecting(origins.indices.filter { !store.holds(origins[$0]) })
            }
            let outputs = try worker.outputs(for: batch, step: step, studentIndex: student.index)
            tokensComputed += batch.batchSize * batch.sequenceLength
            let buffer = MPIBuffer<UInt32>(repeating: 0, count: worker.format.messageWords)
            worker.format.encode(outputs, into: buffer)
            computeSeconds += Date().timeIntervalSince(started)
            pendingSends[position].removeAll { (try? $0.test()) == true }
            let words = TeacherMessageFormat.headerWords + worker.format.payloadWords(rows: outputs.rows)
            pendingSends[position].append(try world.immediateSend(buffer, range: 0..<words, to: student.rank,
                                                                  tag: TeacherMessageFormat.tag(step: step)))
            uncreditedSteps[position].append(step)
        }
    }

    /// Waits until every served student took every message sent (end of an interval).
    public func drain() throws {
        for position in students.indices {
            while !uncreditedSteps[position].isEmpty { try awaitCredit(position) }
            try Request.waitAll(pendingSends[position], timeout: flow.timeout)
            pendingSends[position].removeAll()
        }
    }

    /// Receives the credit for the oldest uncredited step of a student.
    private func awaitCredit(_ position: Int) throws {
        let step = uncreditedSteps[position].removeFirst()
        let student = students[position]
        let started = Date()
        let values: [Int64]
        do {
            (values, _) = try world.receive(Int64.self, from: student.rank, tag: TeacherCredit.tag(step: step), timeout: creditTimeout)
        } catch let error as MPIError where error.isTimeout {
            throw TeacherCreditTimeoutError(teacherRank: world.rank, studentRank: student.rank, step: step,
                                            seconds: creditTimeout, underlying: error)
        }
        creditWaitSeconds += Date().timeIntervalSince(started)
        guard values.count == 1, values[0] == Int64(step) else {
            throw TeacherProtocolError(teacherRank: world.rank, step: step,
                                       problem: "student rank \(student.rank) credited step \(values.first ?? -1) instead")
        }
    }
}

/// The credit a student sends when it has taken a step's teacher message.
enum TeacherCredit {
    /// Credit tags follow the message tags: `tagModulus + step % tagModulus` (below 32767).
    static func tag(step: Int) -> Int { TeacherMessageFormat.tagModulus + step % TeacherMessageFormat.tagModulus }
}

/// A teacher waited for a student's credit longer than its deadline.
public struct TeacherCreditTimeoutError: Error, CustomStringConvertible {
    public var teacherRank: Int
    public var studentRank: Int
    public var step: Int
    public var seconds: Duration
    public var underlying: MPIError
    public var description: String {
        "step \(step): teacher rank \(teacherRank) got no credit from student rank \(studentRank) within \(seconds) "
            + "(2 × teacher.timeout_seconds + 30 s): the student is stopped, crashed without its launcher noticing, "
            + "its host is unreachable, or it is blocked waiting for another rank [\(underlying)]"
    }
}
