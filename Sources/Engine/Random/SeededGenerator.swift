import Foundation

/// A deterministic pseudo-random generator (xoshiro256**, seeded through
/// SplitMix64): the same seed gives the same stream on every platform.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds the generator.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// Next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// A uniform Double in [0, 1).
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Fills a buffer with normal samples of the given standard deviation (Box–Muller).
    public mutating func fillNormal(_ x: UnsafeMutableBufferPointer<Float>, standardDeviation: Float) {
        var i = 0
        let n = x.count
        while i < n {
            let u1 = max(nextUniform(), 1e-300), u2 = nextUniform()
            let r = (-2 * Foundation.log(u1)).squareRoot() * Double(standardDeviation)
            x[i] = Float(r * Foundation.cos(2 * Double.pi * u2))
            if i + 1 < n { x[i + 1] = Float(r * Foundation.sin(2 * Double.pi * u2)) }
            i += 2
        }
    }
}
