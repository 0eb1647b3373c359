/// A counter-based random number generator: every draw is a pure function of a
/// key (seed, step, slot, ...) — no hidden state, so any draw can be recomputed
/// on any rank, in any order, after a restart.
///
/// The mixing function is SplitMix64's finalizer applied to each key word in turn.
public struct CounterRNG: Sendable, Equatable {
    /// The run's seed; every draw is keyed by it.
    public let seed: UInt64

    /// A generator for `seed`.
    public init(seed: UInt64) {
        self.seed = seed
    }

    /// SplitMix64's output function (Steele, Lea, Flood 2014).
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64 random bits for the key `words` (order matters).
    @inline(__always)
    public func bits(_ words: UInt64...) -> UInt64 {
        var state = CounterRNG.mix(seed)
        for word in words {
            state = CounterRNG.mix(state ^ word)
        }
        return state
    }

    /// A uniform double in [0, 1) for the key `words` (53 random bits).
    public func uniform(_ words: UInt64...) -> Double {
        var state = CounterRNG.mix(seed)
        for word in words {
            state = CounterRNG.mix(state ^ word)
        }
        return Double(state >> 11) * 0x1.0p-53
    }

    /// A uniform integer in `0..<bound` for the key `words` (Lemire's multiply-shift;
    /// the bias is below 2^-40 for every bound used here).
    public func below(_ bound: Int, _ words: UInt64...) -> Int {
        precondition(bound > 0, "CounterRNG.below needs a positive bound")
        var state = CounterRNG.mix(seed)
        for word in words {
            state = CounterRNG.mix(state ^ word)
        }
        return Int(state.multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A stable 64-bit key for a string (FNV-1a), e.g. to key draws by a domain name.
    public static func key(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
