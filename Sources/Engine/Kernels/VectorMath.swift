// Vectorised exponential and row reductions for the element-wise kernels.
//
// Shapes: n = length of one row (V for logits, T for attention scores).
//
// `exp` is computed on SIMD16<Float> lanes with Cody–Waite range reduction
// x = n·ln2 + r, |r| ≤ ln2/2, a degree-6 minimax polynomial for e^r (Cephes
// expf coefficients) and 2^n built in the exponent bits. Relative error
// ≲ 2e-7 over the clamped range [-87.3, 88.7]; below it the result is the
// smallest normal number scale (≈1e-38) rather than 0, which softmax ignores.
//
// `log` splits x = m·2^e with m ∈ [√½, √2), evaluates the Cephes logf
// polynomial on m − 1 and adds e·ln2 in two parts. Relative error ≲ 2e-7 for
// normal positive inputs; log(0) = −∞, log of a negative number or NaN is NaN
// (subnormal inputs are not supported and give a wrong finite value).


/// Vectorised math on Float rows.
public enum VectorMath {
    @inline(__always)
    public static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        // `replacing(with:where:)` compiles to vector selects; pointwiseMin/Max do not.
        var xc = x.replacing(with: 88.7, where: x .> 88.7)
        xc = xc.replacing(with: -87.3, where: xc .< -87.3)
        let magic = SIMD16<Float>(repeating: 12_582_912)          // 1.5 · 2^23: rounds to an integer
        let shifted = xc * 1.442_695_04 + magic
        let n = shifted - magic
        var r = xc - n * 0.693_359_375                             // ln2 high part
        r = r - n * -2.121_944_40e-4                               // ln2 low part
        var p: SIMD16<Float> = SIMD16(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_91e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        p = p * (r * r) + r + 1
        let bits = unsafeBitCast(shifted, to: SIMD16<Int32>.self)
        let pow2 = (bits &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(pow2, to: SIMD16<Float>.self)
    }

    /// Scalar form of the same approximation (for tails and tests).
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        exp(SIMD16<Float>(repeating: x))[0]
    }

    @inline(__always)
    public static func log(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let bits = unsafeBitCast(x, to: SIMD16<Int32>.self)
        // x = m · 2^e, m ∈ [0.5, 1); the biased exponent k becomes a Float through
        // the 2^23 magic number (the generic Int→Float SIMD init is not inlined).
        let k = ((bits &>> 23) & 0xFF) | 0x4B00_0000
        var e = unsafeBitCast(k, to: SIMD16<Float>.self) - (8_388_608 + 126)
        var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F00_0000, to: SIMD16<Float>.self)
        let small = m .< 0.707_106_781
        e = e.replacing(with: e - 1, where: small)
        m = m.replacing(with: m + m, where: small) - 1
        let z = m * m
        var y: SIMD16<Float> = SIMD16(repeating: 7.037_683_629_2e-2)
        y = y * m - 1.151_461_031_0e-1
        y = y * m + 1.167_699_874_0e-1
        y = y * m - 1.242_014_084_6e-1
        y = y * m + 1.424_932_278_7e-1
        y = y * m - 1.666_805_766_5e-1
        y = y * m + 2.000_071_476_5e-1
        y = y * m - 2.499_999_399_3e-1
        y = y * m + 3.333_333_117_4e-1
        y = y * m * z
        y = y + e * -2.121_944_40e-4
        y = y - z * 0.5
        var result = m + y + e * 0.693_359_375
        result = result.replacing(with: -.infinity, where: x .== 0)
        result = result.replacing(with: .nan, where: .!(x .>= 0))
        result = result.replacing(with: .infinity, where: x .== .infinity)
        return result
    }

    /// Scalar form of the vectorised logarithm.
    @inline(__always)
    public static func log(_ x: Float) -> Float {
        log(SIMD16<Float>(repeating: x))[0]
    }

    /// Replaces every element of a row by its natural logarithm.
    public static func logInPlace(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let raw = UnsafeMutableRawPointer(x)
        while i + 16 <= n {
            let v = log(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self))
            raw.storeBytes(of: v, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { x[i] = log(x[i]); i += 1 }
    }

    /// Replaces every element of a row by its exponential.
    public static func expInPlace(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let raw = UnsafeMutableRawPointer(x)
        while i + 16 <= n {
            let v = exp(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self))
            raw.storeBytes(of: v, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { x[i] = exp(x[i]); i += 1 }
    }

    /// Largest element of a row.
    @inline(__always)
    public static func maximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var i = 0
        var m16 = SIMD16<Float>(repeating: -.infinity)
        let raw = UnsafeRawPointer(x)
        while i + 16 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            m16 = m16.replacing(with: v, where: v .> m16)
            i += 16
        }
        var m = m16.max()
        while i < n { m = Swift.max(m, x[i]); i += 1 }
        return m
    }

    /// Replaces `x[i]` by `exp(x[i] - shift)` and returns their sum (in Double).
    @inline(__always)
    public static func expShiftedInPlace(_ x: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Double {
        var i = 0
        var s16 = SIMD16<Float>(repeating: 0)
        var total = 0.0
        let raw = UnsafeMutableRawPointer(x)
        let sh = SIMD16<Float>(repeating: shift)
        var blocks = 0
        while i + 16 <= n {
            let e = exp(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - sh)
            raw.storeBytes(of: e, toByteOffset: i * 4, as: SIMD16<Float>.self)
            s16 += e
            i += 16
            blocks += 1
            if blocks == 256 { total += Double(s16.sum()); s16 = .zero; blocks = 0 }
        }
        total += Double(s16.sum())
        while i < n { let e = exp(x[i] - shift); x[i] = e; total += Double(e); i += 1 }
        return total
    }

    /// Multiplies a row by a scalar in place.
    @inline(__always)
    public static func scale(_ x: UnsafeMutablePointer<Float>, _ n: Int, by s: Float) {
        var i = 0
        let raw = UnsafeMutableRawPointer(x)
        while i + 16 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * s
            raw.storeBytes(of: v, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { x[i] *= s; i += 1 }
    }

    /// Natural logarithm of the sum of exponentials of a row (stable), read-only.
    public static func logSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
        let m = maximum(x, n)
        var i = 0
        var s16 = SIMD16<Float>(repeating: 0)
        var total = 0.0
        let raw = UnsafeRawPointer(x)
        let sh = SIMD16<Float>(repeating: m)
        var blocks = 0
        while i + 16 <= n {
            s16 += exp(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - sh)
            i += 16
            blocks += 1
            if blocks == 256 { total += Double(s16.sum()); s16 = .zero; blocks = 0 }
        }
        total += Double(s16.sum())
        while i < n { total += Double(exp(x[i] - m)); i += 1 }
        return Double(m) + _log(total)
    }

    /// Replaces a row of logits by its log-softmax in place and returns the
    /// log-sum-exp that was subtracted.
    @discardableResult
    public static func logSoftmaxInPlace(_ x: UnsafeMutablePointer<Float>, _ n: Int) -> Double {
        let lse = logSumExp(x, n)
        let s = Float(lse)
        var i = 0
        let raw = UnsafeMutableRawPointer(x)
        while i + 16 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - s
            raw.storeBytes(of: v, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { x[i] -= s; i += 1 }
        return lse
    }

    /// Replaces a row of logits by its softmax in place (stable).
    public static func softmaxInPlace(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        let m = maximum(x, n)
        let sum = expShiftedInPlace(x, n, shift: m)
        scale(x, n, by: Float(1.0 / sum))
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
#endif
