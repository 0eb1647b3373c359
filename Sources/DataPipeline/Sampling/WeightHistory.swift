/// The weights in force at every step of a run: a list of changes, each taking
/// effect from a given step on. The sampler's choices are a pure function of
/// (seed, step, this history), so a run resumed with the same history continues
/// exactly. A change decided after step s is recorded `fromStep: s + 1`.
public struct WeightHistory: Sendable, Equatable, Codable {
    /// One change of weights.
    public struct Change: Sendable, Equatable, Codable {
        /// First step using `weights`.
        public let fromStep: Int
        /// The weights.
        public let weights: DomainWeights

        enum CodingKeys: String, CodingKey {
            case fromStep = "from_step"
            case weights
        }
    }

    /// The changes, by increasing `fromStep`; the first is at step 0.
    public private(set) var changes: [Change]

    /// A history starting with `initial` at step 0.
    public init(initial: DomainWeights) {
        changes = [Change(fromStep: 0, weights: initial)]
    }

    /// Records `weights` from `step` on. Steps must not go back; a change at the
    /// same step as the last one replaces it. The domain count must not change.
    public mutating func set(_ weights: DomainWeights, fromStep step: Int) throws {
        let last = changes[changes.count - 1]
        guard weights.count == last.weights.count else {
            throw SamplerError("weight history: \(weights.count) weights for \(last.weights.count) domains")
        }
        guard step >= last.fromStep else {
            throw SamplerError("weight history: a change from step \(step) comes after one from step \(last.fromStep)")
        }
        if step == last.fromStep { changes.removeLast() }
        changes.append(Change(fromStep: step, weights: weights))
    }

    /// The weights in force at `step`.
    public func weights(atStep step: Int) -> DomainWeights {
        var low = 0, high = changes.count - 1
        while low < high {  // last change with fromStep <= step
            let middle = (low + high + 1) / 2
            if changes[middle].fromStep <= step { low = middle } else { high = middle - 1 }
        }
        return changes[low].weights
    }

    /// Number of domains.
    public var domainCount: Int { changes[0].weights.count }

    /// Decoding checks that the changes start at step 0 and increase.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let changes = try container.decode([Change].self)
        guard let first = changes.first, first.fromStep == 0 else {
            throw SamplerError("weight history: must start with a change from step 0")
        }
        self.init(initial: first.weights)
        for change in changes.dropFirst() { try set(change.weights, fromStep: change.fromStep) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(changes)
    }
}
