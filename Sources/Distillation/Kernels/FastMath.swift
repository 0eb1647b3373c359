// Vectorized exp and log over 16 float lanes (Cephes single-precision
// polynomials, range reduction by powers of two), and the row helpers the loss
// kernels share: unaligned SIMD loads and stores with a padded remainder.
//
// Shape legend: V = row length (vocabulary size), W = 16 lanes.

/// Sixteen float lanes, the unit every loss kernel works in.
public typealias Lanes = SIMD16<Float>
/// Integer lanes of the same width (bit manipulation of `Lanes`).
public typealias LaneBits = SIMD16<Int32>

/// Vectorized `exp` and `log` accurate to a few units in the last place of
/// `Float`, used in every pass over the vocabulary.
public enum FastMath {
    // Only lane-wise arithmetic, bit casts and `replacing(with:where:)` (vector selects)
    // appear here: `pointwiseMin/Max`, `clamped`, `rounded` and integer↔float SIMD
    // conversions compile to per-lane scalar code and cost ~20× more.

    // magic = 1.5·2^23: adding it rounds a float of magnitude < 2^22 to an integer held in the
    // low mantissa bits (a local constant: a static stored property costs an accessor call per use).
    // The exp polynomial and reduction follow the engine's VectorMath.exp (Cephes expf).

    /// `exp(x)` lane-wise, relative error ≲ 2e-7 on [−87.3, 88.7]; `exp(-inf) = 0` and every
    /// input below −87.3 gives 0 (so 0·log 0 terms vanish exactly); above 88.7 the result is
    /// that of 88.7.
    @inline(__always)
    public static func exp(_ x: Lanes) -> Lanes {
        var clamped = x.replacing(with: 88.7, where: x .> 88.7)
        clamped = clamped.replacing(with: -87.3, where: clamped .< -87.3)
        let magic = Lanes(repeating: 12_582_912)
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        var r = clamped - n * 0.693_359_375
        r = r - n * -2.121_944_40e-4
        var y = Lanes(repeating: 1.987_569_15e-4)
        y = y * r + 1.398_199_95e-3
        y = y * r + 8.333_451_91e-3
        y = y * r + 4.166_579_59e-2
        y = y * r + 1.666_666_55e-1
        y = y * r + 5.000_000_12e-1
        y = y * (r * r) + r + 1
        // 2^n from the exponent bits
        let pow2 = (unsafeBitCast(shifted, to: LaneBits.self) &- 0x4B40_0000 &+ 127) &<< 23
        return (y * unsafeBitCast(pow2, to: Lanes.self)).replacing(with: 0, where: x .< -87.3)
    }

    /// `log(x)` lane-wise; `log(0) = -inf`, subnormal inputs handled, negative inputs give NaN.
    @inline(__always)
    public static func log(_ x: Lanes) -> Lanes {
        let magic = Lanes(repeating: 12_582_912)
        let isSubnormal = x .< Float.leastNormalMagnitude
        let scaled = x.replacing(with: x * 8388608.0, where: isSubnormal)   // × 2^23
        let bits = unsafeBitCast(scaled, to: LaneBits.self)
        // exponent as a float via the magic constant (exact for small integers)
        var exponent = unsafeBitCast(((bits &>> 23) &- 126) &+ 0x4B40_0000, to: Lanes.self) - magic
        exponent = exponent.replacing(with: exponent - 23, where: isSubnormal)
        // mantissa in [0.5, 1)
        var m = unsafeBitCast((bits & 0x007f_ffff) | 0x3f00_0000, to: Lanes.self)
        let below = m .< 0.707106781186547524
        exponent = exponent.replacing(with: exponent - 1, where: below)
        m = m.replacing(with: m + m, where: below) - 1
        let z = m * m
        var y = Lanes(repeating: 7.0376836292e-2)
        y = y * m - 1.1514610310e-1
        y = y * m + 1.1676998740e-1
        y = y * m - 1.2420140846e-1
        y = y * m + 1.4249322787e-1
        y = y * m - 1.6668057665e-1
        y = y * m + 2.0000714765e-1
        y = y * m - 2.4999993993e-1
        y = y * m + 3.3333331174e-1
        y = y * m * z
        y = y - exponent * 2.12194440e-4
        y = y - 0.5 * z
        var result = m + y + exponent * 0.693359375
        result = result.replacing(with: -.infinity, where: x .== 0)
        result = result.replacing(with: .infinity, where: x .== .infinity)
        result = result.replacing(with: .nan, where: x .< 0)
        return result
    }

    /// `|x|` lane-wise (sign bit cleared).
    @inline(__always)
    public static func abs(_ x: Lanes) -> Lanes {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7fff_ffff, to: Lanes.self)
    }
}

/// Row helpers: loads and stores of W lanes at any offset of a row, the last
/// partial group padded with a fill value (and stored lane by lane).
@usableFromInline
enum RowAccess {
    @inline(__always) @usableFromInline
    static func load(_ row: UnsafePointer<Float>, _ i: Int, _ count: Int, fill: Float) -> Lanes {
        if i + Lanes.scalarCount <= count { return UnsafeRawPointer(row + i).loadUnaligned(as: Lanes.self) }
        var v = Lanes(repeating: fill)
        for l in 0..<(count - i) { v[l] = row[i + l] }
        return v
    }

    @inline(__always) @usableFromInline
    static func store(_ v: Lanes, _ row: UnsafeMutablePointer<Float>, _ i: Int, _ count: Int) {
        if i + Lanes.scalarCount <= count { UnsafeMutableRawPointer(row + i).storeBytes(of: v, as: Lanes.self); return }
        for l in 0..<(count - i) { row[i + l] = v[l] }
    }

    /// Largest element of a row (−inf for an empty row).
    @inline(__always) @usableFromInline
    static func maximum(_ row: UnsafePointer<Float>, _ count: Int) -> Float {
        var m0 = Lanes(repeating: -.infinity), m1 = m0
        var i = 0
        while i + 2 * Lanes.scalarCount <= count {
            let a = UnsafeRawPointer(row + i).loadUnaligned(as: Lanes.self)
            let b = UnsafeRawPointer(row + i + Lanes.scalarCount).loadUnaligned(as: Lanes.self)
            m0 = m0.replacing(with: a, where: a .> m0)
            m1 = m1.replacing(with: b, where: b .> m1)
            i += 2 * Lanes.scalarCount
        }
        while i < count { let a = load(row, i, count, fill: -.infinity); m0 = m0.replacing(with: a, where: a .> m0); i += Lanes.scalarCount }
        m0 = m0.replacing(with: m1, where: m1 .> m0)
        return m0.max()
    }

    /// `Σ exp((row[v] − shift) · scale)` over `range` of a row, in double precision at the end.
    @inline(__always) @usableFromInline
    static func sumExp(_ row: UnsafePointer<Float>, _ range: Range<Int>, shift: Float, scale: Float) -> Double {
        var s0 = Lanes(repeating: 0), s1 = s0
        var i = range.lowerBound
        let end = range.upperBound
        while i + 2 * Lanes.scalarCount <= end {
            s0 += FastMath.exp((UnsafeRawPointer(row + i).loadUnaligned(as: Lanes.self) - shift) * scale)
            s1 += FastMath.exp((UnsafeRawPointer(row + i + Lanes.scalarCount).loadUnaligned(as: Lanes.self) - shift) * scale)
            i += 2 * Lanes.scalarCount
        }
        while i < end { s0 += FastMath.exp((load(row, i, end, fill: -.infinity) - shift) * scale); i += Lanes.scalarCount }
        return Double(s0.sum()) + Double(s1.sum())
    }

    /// Replaces `row[v]` by `exp((row[v] − shift) · scale)` and returns their sum.
    @inline(__always) @usableFromInline
    static func expInPlace(_ row: UnsafeMutablePointer<Float>, _ count: Int, shift: Float, scale: Float) -> Double {
        var s0 = Lanes(repeating: 0), s1 = s0
        var i = 0
        while i + 2 * Lanes.scalarCount <= count {
            let a = FastMath.exp((UnsafeRawPointer(row + i).loadUnaligned(as: Lanes.self) - shift) * scale)
            let b = FastMath.exp((UnsafeRawPointer(row + i + Lanes.scalarCount).loadUnaligned(as: Lanes.self) - shift) * scale)
            UnsafeMutableRawPointer(row + i).storeBytes(of: a, as: Lanes.self)
            UnsafeMutableRawPointer(row + i + Lanes.scalarCount).storeBytes(of: b, as: Lanes.self)
            s0 += a; s1 += b
            i += 2 * Lanes.scalarCount
        }
        while i < count {
            let a = FastMath.exp((load(row, i, count, fill: -.infinity) - shift) * scale)
            store(a, row, i, count); s0 += a
            i += Lanes.scalarCount
        }
        return Double(s0.sum()) + Double(s1.sum())
    }

    /// `Σ row[v]` over `range`.
    @inline(__always) @usableFromInline
    static func sum(_ row: UnsafePointer<Float>, _ range: Range<Int>) -> Double {
        var s0 = Lanes(repeating: 0), s1 = s0
        var i = range.lowerBound
        let end = range.upperBound
        while i + 2 * Lanes.scalarCount <= end {
            s0 += UnsafeRawPointer(row + i).loadUnaligned(as: Lanes.self)
            s1 += UnsafeRawPointer(row + i + Lanes.scalarCount).loadUnaligned(as: Lanes.self)
            i += 2 * Lanes.scalarCount
        }
        while i < end { s0 += load(row, i, end, fill: 0); i += Lanes.scalarCount }
        return Double(s0.sum()) + Double(s1.sum())
    }

    /// `row[v] *= factor`.
    @inline(__always) @usableFromInline
    static func scale(_ row: UnsafeMutablePointer<Float>, _ count: Int, by factor: Float) {
        var i = 0
        while i + Lanes.scalarCount <= count {
            let a = UnsafeRawPointer(row + i).loadUnaligned(as: Lanes.self) * factor
            UnsafeMutableRawPointer(row + i).storeBytes(of: a, as: Lanes.self)
            i += Lanes.scalarCount
        }
        while i < count { row[i] *= factor; i += 1 }
    }

    /// Replaces `row[v]` by `exp((row[v] − shift) · scale)` and returns `Σ exp(row[v] − shift)`
    /// (the unscaled sum, computed from the original values in the same pass).
    @inline(__always) @usableFromInline
    static func expInPlaceTwoScales(_ row: UnsafeMutablePointer<Float>, _ count: Int, shift: Float, scale: Float) -> Double {
        var s0 = Lanes(repeating: 0)
        var i = 0
        while i < count {
            let d = load(row, i, count, fill: -.infinity) - shift
            store(FastMath.exp(d * scale), row, i, count)
            s0 += FastMath.exp(d)
            i += Lanes.scalarCount
        }
        return Double(s0.sum())
    }
}
