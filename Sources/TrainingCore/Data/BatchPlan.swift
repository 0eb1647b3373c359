import DataPipeline

/// Which sequences every student trains on at every step: the data pipeline's sampler
/// driven by the job's weight history. Every rank holds one and advances it in lockstep,
/// so no rank is told its data (docs/RUNTIME_DESIGN.md, step 1).
public struct BatchPlan {
    public let dataset: PreparedDataset
    public let sampler: DomainSampler
    public let studentCount: Int
    /// The weights in force at every step so far (set at each DDK boundary).
    public internal(set) var history: WeightHistory?
    /// The sampler position before the next planned step.
    public internal(set) var cursor: SamplerCursor

    public init(dataset: PreparedDataset, seed: UInt64, globalBatchSequences: Int, studentCount: Int) throws {
        self.dataset = dataset
        self.studentCount = studentCount
        sampler = try DomainSampler(seed: seed, globalBatchSize: globalBatchSequences, domainCount: dataset.domains.count)
        _ = try sampler.slots(rank: 0, worldSize: studentCount)  // refuses a batch that does not divide evenly
        cursor = SamplerCursor(domainCount: dataset.domains.count)
    }

    /// Sequences per student per step.
    public var localBatchSequences: Int { sampler.globalBatchSize / studentCount }

    /// Records the weights decided at a DDK boundary; they apply from `step` on.
    public mutating func setWeights(_ weights: [Double], fromStep step: Int) throws {
        let checked = try DomainWeights(weights, domainNames: dataset.domainNames)
        if history == nil {
            history = WeightHistory(initial: checked)
        } else {
            try history!.set(checked, fromStep: step)
        }
    }

    /// The whole global batch of the next step (slot order) and advances the cursor.
    public mutating func nextStep() throws -> (step: Int, assignments: [SequenceAssignment]) {
        guard let history else { preconditionFailure("BatchPlan: weights must be set before the first step") }
        let step = cursor.step
        let planned = try sampler.plan(cursor: cursor, history: history)
        cursor = planned.next
        return (step, planned.assignments)
    }

    /// Student `index`'s share of a global batch as the batch it trains on, with each
    /// sequence's origin.
    public func batch(of assignments: [SequenceAssignment], studentIndex index: Int) -> SequenceBatch {
        let share = localBatchSequences
        let mine = Array(assignments[index * share..<(index + 1) * share])
        var batch = SequenceBatch(sequences: tokens(of: mine), batchSize: share, sequenceLength: dataset.sequenceLength)
        batch.origins = mine.map {
            SequenceOrigin(domain: $0.domain, index: dataset.trainSequenceIndex(domain: $0.domain, position: $0.position))
        }
        return batch
    }

    /// The tokens of some assignments, one sequence of T+1 after the other.
    public func tokens(of assignments: [SequenceAssignment]) -> [Int32] {
        let width = dataset.sequenceLength + 1
        var tokens = [Int32](repeating: 0, count: assignments.count * width)
        tokens.withUnsafeMutableBufferPointer { dataset.copyBatch(assignments, into: $0) }
        return tokens
    }
}

extension BatchPlan {
    /// Continues from a checkpoint: its weight history and sampler cursor (the next step
    /// plans exactly the batch the interrupted run would have planned).
    public mutating func resume(history: WeightHistory, cursor: SamplerCursor) throws {
        guard history.domainCount == dataset.domains.count, cursor.served.count == dataset.domains.count else {
            throw ResumeError("the checkpoint's sampler has \(cursor.served.count) domains, the shards \(dataset.domains.count)")
        }
        self.history = history
        self.cursor = cursor
    }
}
