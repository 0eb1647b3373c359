/// A pseudo-random permutation of `0..<count`, different for every (seed, key,
/// epoch), evaluated in O(1) per element without storing it: a 4-round Feistel
/// network on the smallest power of four ≥ count, with cycle-walking to stay in range.
///
/// Used to reshuffle a domain's training sequences at every pass over them.
public struct EpochPermutation: Sendable {
    /// Number of elements permuted.
    public let count: Int
    private let rng: CounterRNG
    private let key: UInt64
    private let epoch: UInt64
    private let halfBits: UInt64

    /// The permutation of `0..<count` for one epoch; `key` separates independent
    /// permutations under the same seed (e.g. one per domain).
    public init(count: Int, seed: UInt64, key: UInt64, epoch: UInt64) {
        precondition(count > 0, "EpochPermutation needs at least one element")
        self.count = count
        self.rng = CounterRNG(seed: seed)
        self.key = key
        self.epoch = epoch
        var bits: UInt64 = 1
        while (UInt64(1) << (2 * bits)) < UInt64(count) { bits += 1 }
        self.halfBits = bits
    }

    /// The element at `index` of the permuted order.
    public func callAsFunction(_ index: Int) -> Int {
        precondition(index >= 0 && index < count, "EpochPermutation index \(index) outside 0..<\(count)")
        var value = UInt64(index)
        repeat {
            value = feistel(value)
        } while value >= UInt64(count)
        return Int(value)
    }

    private func feistel(_ value: UInt64) -> UInt64 {
        let mask = (UInt64(1) << halfBits) - 1
        var left = value >> halfBits
        var right = value & mask
        for round in UInt64(0)..<4 {
            let f = rng.bits(key, epoch, round, right) & mask
            (left, right) = (right, left ^ f)
        }
        return (left << halfBits) | right
    }
}
