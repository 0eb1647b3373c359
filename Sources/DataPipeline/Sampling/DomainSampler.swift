/// One sequence of the global batch: its slot, its domain, and the domain's
/// running position (how many sequences the domain had served before it).
/// `PreparedDataset` turns (domain, position) into a sequence.
public struct SequenceAssignment: Sendable, Equatable, Codable {
    /// Index in the global batch (0..<globalBatchSize).
    public let slot: Int
    /// Domain index (dataset order).
    public let domain: Int
    /// The domain's running sequence count at this draw.
    public let position: UInt64
}

/// Where the sampler stands: the next step, and how many sequences each domain
/// has served in the steps before it. It is what a checkpoint stores, and it can
/// always be recomputed from (seed, weight history) with `DomainSampler.cursor(atStep:history:)`.
public struct SamplerCursor: Sendable, Equatable, Codable {
    /// The next step to plan.
    public var step: Int
    /// Sequences served per domain in steps 0..<step.
    public var served: [UInt64]

    /// The cursor before step 0.
    public init(domainCount: Int) {
        step = 0
        served = Array(repeating: 0, count: domainCount)
    }
}

/// DDK's domain-weighted sampler (Algorithm 1: draw training sequences by domain
/// with probabilities r, shuffled; a domain that runs out cycles again).
///
/// Design — every choice is a pure function of (seed, step, weight history):
/// * Domains of a step: systematic sampling with a counter-based random offset
///   u = U(seed, step): slot points (u + j) / B, j = 0..<B, are mapped through
///   the cumulative weights of the step, so domain d gets ⌊r_d·B⌋ or ⌈r_d·B⌉
///   slots and exactly r_d·B in expectation (less variance than B independent
///   draws: a small batch still follows r closely). The B domains are then
///   shuffled by a Fisher–Yates pass keyed by (seed, step, j), so every rank's
///   share is a random mix.
/// * Sequence within a domain: the domain's running count of served sequences
///   (the cursor) plus its earlier slots in this step. That count depends only
///   on the per-step domain counts, which depend only on (seed, step, weights at
///   that step): it is reconstructible by replaying the weight history (cheap:
///   O(steps × (B + domains)), no data touched) and is also stored in checkpoints.
///   `PreparedDataset` maps a position to a sequence through a per-epoch
///   permutation, so each domain is read without repetition within an epoch.
/// * Ranks: the global batch is cut into `worldSize` contiguous, disjoint slot
///   ranges; the plan does not depend on the world size, so a resumed run may use
///   another number of student ranks if the global batch divides evenly.
/// * New weights take effect at the step they are recorded from in the history
///   (the coordinator records a decision made after step s at s + 1).
public struct DomainSampler: Sendable {
    /// Seed of every draw.
    public let seed: UInt64
    /// B: sequences per step over all student ranks.
    public let globalBatchSize: Int
    /// Number of domains.
    public let domainCount: Int
    private let rng: CounterRNG

    private static let offsetStream: UInt64 = 0x6F66_6673_6574  // "offset"
    private static let shuffleStream: UInt64 = 0x7368_7566_666C  // "shuffl"

    /// A sampler for `domainCount` domains and global batches of `globalBatchSize`.
    public init(seed: UInt64, globalBatchSize: Int, domainCount: Int) throws {
        guard globalBatchSize >= 1 else { throw SamplerError("sampler: global batch size must be at least 1, got \(globalBatchSize)") }
        guard domainCount >= 1 else { throw SamplerError("sampler: needs at least one domain") }
        self.seed = seed
        self.globalBatchSize = globalBatchSize
        self.domainCount = domainCount
        self.rng = CounterRNG(seed: seed)
    }

    /// Slots of the global batch per domain at `step` (before shuffling): the
    /// systematic-sampling counts, summing to B.
    public func domainCounts(step: Int, weights: DomainWeights) throws -> [Int] {
        try check(weights)
        var counts = Array(repeating: 0, count: domainCount)
        for domain in sortedDomains(step: step, weights: weights) { counts[domain] += 1 }
        return counts
    }

    /// The domain of every slot of the global batch at `step`.
    public func domains(step: Int, weights: DomainWeights) throws -> [Int] {
        try check(weights)
        var slots = sortedDomains(step: step, weights: weights)
        var index = slots.count - 1
        while index > 0 {
            let other = rng.below(index + 1, UInt64(bitPattern: Int64(step)), DomainSampler.shuffleStream, UInt64(index))
            slots.swapAt(index, other)
            index -= 1
        }
        return slots
    }

    /// The whole global batch at `cursor.step` with the weights in force then, and
    /// the cursor for the next step.
    public func plan(cursor: SamplerCursor, history: WeightHistory) throws -> (assignments: [SequenceAssignment], next: SamplerCursor) {
        guard cursor.served.count == domainCount else {
            throw SamplerError("sampler: cursor has \(cursor.served.count) domains, the sampler \(domainCount)")
        }
        guard cursor.step >= 0 else { throw SamplerError("sampler: negative step \(cursor.step)") }
        let weights = history.weights(atStep: cursor.step)
        var next = cursor
        var assignments: [SequenceAssignment] = []
        assignments.reserveCapacity(globalBatchSize)
        for (slot, domain) in try domains(step: cursor.step, weights: weights).enumerated() {
            assignments.append(SequenceAssignment(slot: slot, domain: domain, position: next.served[domain]))
            next.served[domain] += 1
        }
        next.step += 1
        return (assignments, next)
    }

    /// This rank's part of the global batch at `cursor.step`, and the next cursor
    /// (every rank advances the same cursor).
    public func plan(cursor: SamplerCursor, history: WeightHistory, rank: Int, worldSize: Int) throws
        -> (assignments: [SequenceAssignment], next: SamplerCursor) {
        let range = try slots(rank: rank, worldSize: worldSize)
        let whole = try plan(cursor: cursor, history: history)
        return (Array(whole.assignments[range]), whole.next)
    }

    /// The slots of `rank` among `worldSize` student ranks: contiguous, disjoint, B / worldSize each.
    public func slots(rank: Int, worldSize: Int) throws -> Range<Int> {
        guard worldSize >= 1 else { throw SamplerError("sampler: world size must be at least 1, got \(worldSize)") }
        guard rank >= 0, rank < worldSize else { throw SamplerError("sampler: rank \(rank) outside 0..<\(worldSize)") }
        guard globalBatchSize % worldSize == 0 else {
            throw SamplerError("sampler: global batch \(globalBatchSize) does not divide evenly over \(worldSize) student ranks")
        }
        let share = globalBatchSize / worldSize
        return rank * share..<(rank + 1) * share
    }

    /// The cursor at `step`, recomputed from step 0 by replaying the weight history.
    public func cursor(atStep step: Int, history: WeightHistory) throws -> SamplerCursor {
        guard step >= 0 else { throw SamplerError("sampler: negative step \(step)") }
        var cursor = SamplerCursor(domainCount: domainCount)
        while cursor.step < step {
            let counts = try domainCounts(step: cursor.step, weights: history.weights(atStep: cursor.step))
            for domain in 0..<domainCount { cursor.served[domain] += UInt64(counts[domain]) }
            cursor.step += 1
        }
        return cursor
    }

    private func check(_ weights: DomainWeights) throws {
        guard weights.count == domainCount else {
            throw SamplerError("sampler: \(weights.count) domain weights for \(domainCount) domains")
        }
    }

    /// Systematic sampling: point (u + j) / B → the domain whose cumulative-weight
    /// interval holds it; the result is sorted by domain.
    private func sortedDomains(step: Int, weights: DomainWeights) -> [Int] {
        let total = weights.values.reduce(0, +)
        let offset = rng.uniform(UInt64(bitPattern: Int64(step)), DomainSampler.offsetStream)
        let lastPositive = weights.values.lastIndex(where: { $0 > 0 })!
        var result: [Int] = []
        result.reserveCapacity(globalBatchSize)
        var domain = 0
        var upper = weights.values[0] / total
        for j in 0..<globalBatchSize {
            let point = (offset + Double(j)) / Double(globalBatchSize)
            while point >= upper, domain < lastPositive {
                domain += 1
                upper += weights.values[domain] / total
            }
            result.append(domain)
        }
        return result
    }
}
