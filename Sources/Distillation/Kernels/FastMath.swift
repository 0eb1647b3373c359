// Vectorized exp and log over 8 float lanes (Cephes single-precision
// polynomials, range reduction by powers of two), and the row helpers the loss
// kernels share: unaligned SIMD loads and stores with a padded remainder.
//
// Shape legend: V = row length (vocabulary size), lanes = 8.

/// Eight float lanes, the unit every loss kernel works in.
public typealias Lanes = SIMD8<Float>

/// Vectorized `exp` and `log` accurate to a few units in the last place of
/// `Float`, used in every pass over the vocabulary.
public enum FastMath {
    /// `exp(x)` lane-wise; `exp(-inf) = 0`, inputs below −87.3 give 0, above 88.7 give +inf.
    @inline(__always)
    public static func exp(_ x: Lanes) -> Lanes {
        let clamped = x.clamped(lowerBound: Lanes(repeating: -87.33654), upperBound: Lanes(repeating: 88.72283))
        let n = (clamped * 1.44269504088896341).rounded(.toNearestOrEven)
        let r = clamped - n * 0.693359375 + n * 2.12194440e-4
        var y = Lanes(repeating: 1.9875691500e-4)
        y = y * r + 1.3981999507e-3
        y = y * r + 8.3334519073e-3
        y = y * r + 4.1665795894e-2
        y = y * r + 1.6666665459e-1
        y = y * r + 5.0000001201e-1
        y = y * (r * r) + r + 1
        // 2^n as an IEEE bit pattern; n is within [-126, 128] after the clamp, so
        // split it in two factors to stay representable at both ends.
        let ni = SIMD8<Int32>(n, rounding: .toNearestOrEven)
        let half = ni &>> 1
        let scaleA = unsafeBitCast((half &+ 127) &<< 23, to: Lanes.self)
        let scaleB = unsafeBitCast((ni &- half &+ 127) &<< 23, to: Lanes.self)
        var result = y * scaleA * scaleB
        result.replace(with: 0, where: x .< -87.33654)
        result.replace(with: .infinity, where: x .> 88.72283)
        return result
    }

    /// `log(x)` lane-wise; `log(0) = -inf`, subnormal inputs handled, negative inputs give NaN.
    @inline(__always)
    public static func log(_ x: Lanes) -> Lanes {
        let isSubnormal = x .< Float.leastNormalMagnitude
        let scaled = x.replacing(with: x * 8388608.0, where: isSubnormal)   // × 2^23
        let bits = unsafeBitCast(scaled, to: SIMD8<Int32>.self)
        var exponent = Lanes((bits &>> 23) &- 126)
        exponent.replace(with: exponent - 23, where: isSubnormal)
        // mantissa in [0.5, 1)
        var m = unsafeBitCast((bits & 0x007f_ffff) | 0x3f00_0000, to: Lanes.self)
        let below = m .< 0.707106781186547524
        exponent.replace(with: exponent - 1, where: below)
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
        result.replace(with: -.infinity, where: x .== 0)
        result.replace(with: .infinity, where: x .== .infinity)
        result.replace(with: .nan, where: x .< 0)
        return result
    }
}

/// Row helpers: loads and stores of 8 lanes at any offset of a row, the last
/// partial group padded with a fill value (and stored lane by lane).
@usableFromInline
enum RowAccess {
    @inline(__always) @usableFromInline
    static func load(_ row: UnsafePointer<Float>, _ i: Int, _ count: Int, fill: Float) -> Lanes {
        if i + 8 <= count { return UnsafeRawPointer(row + i).loadUnaligned(as: Lanes.self) }
        var v = Lanes(repeating: fill)
        for l in 0..<(count - i) { v[l] = row[i + l] }
        return v
    }

    @inline(__always) @usableFromInline
    static func store(_ v: Lanes, _ row: UnsafeMutablePointer<Float>, _ i: Int, _ count: Int) {
        if i + 8 <= count { UnsafeMutableRawPointer(row + i).storeBytes(of: v, as: Lanes.self); return }
        for l in 0..<(count - i) { row[i + l] = v[l] }
    }

    /// Lanes of group `i` that lie inside the row.
    @inline(__always) @usableFromInline
    static func validMask(_ i: Int, _ count: Int) -> SIMDMask<SIMD8<Int32>> {
        if i + 8 <= count { return SIMDMask(repeating: true) }
        return SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) .< SIMD8<Int32>(repeating: Int32(count - i))
    }

    /// Largest element of a row (−inf for an empty row).
    @inline(__always) @usableFromInline
    static func maximum(_ row: UnsafePointer<Float>, _ count: Int) -> Float {
        var m0 = Lanes(repeating: -.infinity), m1 = m0
        var i = 0
        while i + 16 <= count {
            m0 = pointwiseMax(m0, UnsafeRawPointer(row + i).loadUnaligned(as: Lanes.self))
            m1 = pointwiseMax(m1, UnsafeRawPointer(row + i + 8).loadUnaligned(as: Lanes.self))
            i += 16
        }
        while i < count { m0 = pointwiseMax(m0, load(row, i, count, fill: -.infinity)); i += 8 }
        return pointwiseMax(m0, m1).max()
    }

    /// `Σ exp((row[v] − shift) · scale)` over `range` of a row, in double precision at the end.
    @inline(__always) @usableFromInline
    static func sumExp(_ row: UnsafePointer<Float>, _ range: Range<Int>, shift: Float, scale: Float) -> Double {
        var s0 = Lanes(repeating: 0), s1 = s0
        var i = range.lowerBound
        let end = range.upperBound
        while i + 16 <= end {
            s0 += FastMath.exp((UnsafeRawPointer(row + i).loadUnaligned(as: Lanes.self) - shift) * scale)
            s1 += FastMath.exp((UnsafeRawPointer(row + i + 8).loadUnaligned(as: Lanes.self) - shift) * scale)
            i += 16
        }
        while i < end { s0 += FastMath.exp((load(row, i, end, fill: -.infinity) - shift) * scale); i += 8 }
        return Double(s0.sum()) + Double(s1.sum())
    }
}
