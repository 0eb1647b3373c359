// Vectorised exponential and row reductions for the element-wise kernels.
//
// Shapes: n = length of one row (V for logits, T for attention scores).
//
// `exp` is computed on SIMD16<Float> lanes with Cody–Waite range reduction
// x = n·ln2 + r, |r| ≤ ln2/2, a degree-6 minimax polynomial for e^r (Cephes
// expf coefficients) and 2^n built in the exponent bits. Relative error
// ≲ 2e-7 over [-87.3, 88.7]; above 88.7 the result is that of 88.7. Below
// −87.3 `exp` gives the value at −87.3 (≈1.2e-38, which softmax ignores) and
// `expUnderflowingToZero` gives exactly 0 (so 0·log 0 terms of the losses
// vanish); the latter's extra select costs ~8% on the engine's CE row kernel.
//
// `log` splits x = m·2^e with m ∈ [√½, √2), evaluates the Cephes logf
// polynomial on m − 1 and adds e·ln2 in two parts. Subnormal inputs are first
// scaled by 2^23. Relative error ≲ 2e-7 for every positive input; log(0) = −∞,
// log(+∞) = +∞, log of a negative number or NaN is NaN.
//
// Only lane-wise arithmetic, bit casts and `replacing(with:where:)` (vector
// selects) appear in `exp`/`log`: `pointwiseMin/Max`, `clamped`, `rounded` and
// integer↔float SIMD conversions compile to per-lane scalar code. The lane
// functions are `@inlinable` so that other modules' kernels (Distillation)
// inline them into their loops.


/// Vectorised math on Float rows.
public enum VectorMath {
    /// `exp(x)` lane-wise; below −87.3 the result is that of −87.3 (≈ 1.2e-38, which softmax
    /// ignores), above 88.7 that of 88.7. The engine's softmax and cross-entropy use this form.
    @inlinable @inline(__always)
    public static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        // `replacing(with:where:)` compiles to vector selects; pointwiseMin/Max do not.
        var xc = x.replacing(with: 88.7, where: x .> 88.7)
        xc = xc.replacing(with: -87.3, where: xc .< -87.3)
        return expOfClamped(xc)
    }

    /// `exp(x)` lane-wise with every input below −87.3 (and −∞) giving exactly 0, so that the
    /// 0·log 0 terms of the distillation losses vanish; otherwise as `exp`. One vector select
    /// more than `exp` (measurable on the engine's cross-entropy row, hence two forms).
    @inlinable @inline(__always)
    public static func expUnderflowingToZero(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let underflow = x .< -87.3
        var xc = x.replacing(with: -87.3, where: underflow)
        xc = xc.replacing(with: 88.7, where: xc .> 88.7)
        return expOfClamped(xc).replacing(with: 0, where: underflow)
    }

    /// The shared approximation on an input already clamped to [−87.3, 88.7].
    @inlinable @inline(__always)
    static func expOfClamped(_ xc: SIMD16<Float>) -> SIMD16<Float> {
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
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        exp(SIMD16<Float>(repeating: x))[0]
    }

    /// `log(x)` lane-wise; subnormal inputs handled, `log(0) = −∞`, negative or NaN inputs give NaN.
    @inlinable @inline(__always)
    public static func log(_ x: SIMD16<Float>) -> SIMD16<Float> {
        // Subnormals are scaled by 2^23 into the normal range (and 23 taken off the exponent).
        let isSubnormal = x .< Float.leastNormalMagnitude
        let scaled = x.replacing(with: x * 8_388_608, where: isSubnormal)
        let bits = unsafeBitCast(scaled, to: SIMD16<Int32>.self)
        // x = m · 2^e, m ∈ [0.5, 1); the biased exponent k becomes a Float through
        // the 2^23 magic number (the generic Int→Float SIMD init is not inlined).
        let k = ((bits &>> 23) & 0xFF) | 0x4B00_0000
        var e = unsafeBitCast(k, to: SIMD16<Float>.self) - (8_388_608 + 126)
        e = e.replacing(with: e - 23, where: isSubnormal)
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
    @inlinable @inline(__always)
    public static func log(_ x: Float) -> Float {
        log(SIMD16<Float>(repeating: x))[0]
    }

    /// `|x|` lane-wise (sign bit cleared).
    @inlinable @inline(__always)
    public static func abs(_ x: SIMD16<Float>) -> SIMD16<Float> {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: SIMD16<Float>.self)
    }

    /// Replaces every element of a row by its natural logarithm.
    public static func logInPlace(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        mapInPlace(x, n) { log($0) }
    }

    /// Replaces every element of a row by its exponential.
    public static func expInPlace(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        mapInPlace(x, n) { exp($0) }
    }

    /// Replaces every element of a row by `f` of it, 16 lanes at a time (the tail one lane at a time).
    @inline(__always)
    static func mapInPlace(_ x: UnsafeMutablePointer<Float>, _ n: Int, _ f: (SIMD16<Float>) -> SIMD16<Float>) {
        var i = 0
        let raw = UnsafeMutableRawPointer(x)
        while i + 16 <= n {
            let v = f(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self))
            raw.storeBytes(of: v, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { x[i] = f(SIMD16<Float>(repeating: x[i]))[0]; i += 1 }
    }

    /// Largest element of a row (−∞ for an empty row; NaN elements are skipped).
    @inlinable @inline(__always)
    public static func maximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        // two accumulators: the select chain of one is latency-bound
        var i = 0
        var m0 = SIMD16<Float>(repeating: -.infinity), m1 = m0
        let raw = UnsafeRawPointer(x)
        while i + 32 <= n {
            let a = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            let b = raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
            m0 = m0.replacing(with: a, where: a .> m0)
            m1 = m1.replacing(with: b, where: b .> m1)
            i += 32
        }
        if i + 16 <= n {
            let a = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            m0 = m0.replacing(with: a, where: a .> m0)
            i += 16
        }
        m0 = m0.replacing(with: m1, where: m1 .> m0)
        var m = m0.max()
        while i < n { if x[i] > m { m = x[i] }; i += 1 }
        return m
    }

    /// Replaces `x[i]` by `exp(x[i] - shift)` and returns their sum (in Double).
    @inline(__always)
    public static func expShiftedInPlace(_ x: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Double {
        sumOfExpShifted(x, n, shift: shift, writingTo: x)
    }

    /// Σ exp(x[i] - shift) in Double, writing each exp to `output[i]` when it is given. The
    /// 16 lanes accumulate in Float and move to the Double total every 256 blocks.
    @inline(__always)
    private static func sumOfExpShifted(_ x: UnsafePointer<Float>, _ n: Int, shift: Float,
                                        writingTo output: UnsafeMutablePointer<Float>?) -> Double {
        var i = 0
        var s16 = SIMD16<Float>(repeating: 0)
        var total = 0.0
        let raw = UnsafeRawPointer(x)
        let sh = SIMD16<Float>(repeating: shift)
        var blocks = 0
        while i + 16 <= n {
            let e = exp(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - sh)
            if let output { UnsafeMutableRawPointer(output).storeBytes(of: e, toByteOffset: i * 4, as: SIMD16<Float>.self) }
            s16 += e
            i += 16
            blocks += 1
            if blocks == 256 { total += Double(s16.sum()); s16 = .zero; blocks = 0 }
        }
        total += Double(s16.sum())
        while i < n {
            let e = exp(x[i] - shift)
            output?[i] = e
            total += Double(e)
            i += 1
        }
        return total
    }

    /// Multiplies a row by a scalar in place.
    @inlinable @inline(__always)
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
        return Double(m) + _log(sumOfExpShifted(x, n, shift: m, writingTo: nil))
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
