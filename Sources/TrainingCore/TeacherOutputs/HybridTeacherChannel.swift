import Distillation

/// `teacher.source = "store+live"`: a student reads the targets of the sequences a
/// teacher-target store holds from it, and asks its teacher (the pool, or the process's
/// own) for the others only; the two are merged back into batch order.
public final class HybridTeacherChannel: TeacherChannel {
    let store: TargetStore
    let live: TeacherChannel
    /// Sequences served from the store and by the teacher so far.
    public private(set) var storeSequences = 0
    public private(set) var liveSequences = 0

    public init(store: TargetStore, live: TeacherChannel) {
        self.store = store
        self.live = live
    }

    public func beginInterval(steps: Range<Int>) throws { try live.beginInterval(steps: steps) }

    public func outputs(step: Int, batch: SequenceBatch) throws -> TeacherOutputs {
        guard let origins = batch.origins else {
            throw DistillationError.missingTeacherData("the batch's sequence origins (a stored teacher reads targets by them)")
        }
        let held = origins.map { store.holds($0) }
        let misses = held.indices.filter { !held[$0] }
        var computed = try live.outputs(step: step, batch: batch.selecting(misses))
        guard let missTargets = computed.topK, missTargets.rowCount == misses.count * batch.sequenceLength else {
            throw TeacherProtocolError(teacherRank: -1, step: step, problem: "the teacher sent \(computed.topK?.rowCount ?? 0) rows "
                + "for the \(misses.count) sequences the store does not hold")
        }
        let T = batch.sequenceLength
        var parts: [TopKTargets] = [], nextMiss = 0
        for (b, origin) in origins.enumerated() {
            if held[b] {
                parts.append(try store.targets(of: [origin]))
            } else {
                parts.append(try missTargets.rows(nextMiss * T..<(nextMiss + 1) * T))
                nextMiss += 1
            }
        }
        storeSequences += origins.count - misses.count
        liveSequences += misses.count
        computed.rows = batch.labelCount
        computed.topK = try TopKTargets.concatenated(parts)
        return computed
    }

    public func endInterval() throws { try live.endInterval() }
}
