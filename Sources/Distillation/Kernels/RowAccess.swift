// The row helpers the loss kernels share: unaligned 16-lane loads and stores
// with a padded remainder, and shifted/scaled exponential sums over a row or a
// range of it, and the gaps between sorted ids (a top-k row's tail). The lane
// math (exp, log, |x|), the row maximum and the row scaling are Engine's
// `VectorMath`.
//
// Shape legend: V = row length (vocabulary size), W = 16 lanes.

import Engine

/// Sixteen float lanes, the unit every loss kernel works in.
public typealias Lanes = SIMD16<Float>

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

    /// `Σ exp((row[v] − shift) · scale)` over `range` of a row, in double precision at the end.
    @inline(__always) @usableFromInline
    static func sumExp(_ row: UnsafePointer<Float>, _ range: Range<Int>, shift: Float, scale: Float) -> Double {
        var s0 = Lanes(repeating: 0), s1 = s0
        var i = range.lowerBound
        let end = range.upperBound
        while i + 2 * Lanes.scalarCount <= end {
            s0 += VectorMath.expUnderflowingToZero((UnsafeRawPointer(row + i).loadUnaligned(as: Lanes.self) - shift) * scale)
            s1 += VectorMath.expUnderflowingToZero((UnsafeRawPointer(row + i + Lanes.scalarCount).loadUnaligned(as: Lanes.self) - shift) * scale)
            i += 2 * Lanes.scalarCount
        }
        while i < end { s0 += VectorMath.expUnderflowingToZero((load(row, i, end, fill: -.infinity) - shift) * scale); i += Lanes.scalarCount }
        return Double(s0.sum()) + Double(s1.sum())
    }

    /// Replaces `row[v]` by `exp((row[v] − shift) · scale)` and returns their sum.
    @inline(__always) @usableFromInline
    static func expInPlace(_ row: UnsafeMutablePointer<Float>, _ count: Int, shift: Float, scale: Float) -> Double {
        var s0 = Lanes(repeating: 0), s1 = s0
        var i = 0
        while i + 2 * Lanes.scalarCount <= count {
            let a = VectorMath.expUnderflowingToZero((UnsafeRawPointer(row + i).loadUnaligned(as: Lanes.self) - shift) * scale)
            let b = VectorMath.expUnderflowingToZero((UnsafeRawPointer(row + i + Lanes.scalarCount).loadUnaligned(as: Lanes.self) - shift) * scale)
            UnsafeMutableRawPointer(row + i).storeBytes(of: a, as: Lanes.self)
            UnsafeMutableRawPointer(row + i + Lanes.scalarCount).storeBytes(of: b, as: Lanes.self)
            s0 += a; s1 += b
            i += 2 * Lanes.scalarCount
        }
        while i < count {
            let a = VectorMath.expUnderflowingToZero((load(row, i, count, fill: -.infinity) - shift) * scale)
            store(a, row, i, count); s0 += a
            i += Lanes.scalarCount
        }
        return Double(s0.sum()) + Double(s1.sum())
    }

    /// Replaces `row[v]` by `exp((row[v] − shift) · scale)` and returns the sum of those
    /// (`scaled`) and `Σ exp(row[v] − shift)` (`unscaled`, from the original values in the same pass).
    @inline(__always) @usableFromInline
    static func expInPlaceTwoScales(_ row: UnsafeMutablePointer<Float>, _ count: Int, shift: Float,
                                    scale: Float) -> (scaled: Double, unscaled: Double) {
        var s0 = Lanes(repeating: 0), s1 = s0
        var i = 0
        while i < count {
            let d = load(row, i, count, fill: -.infinity) - shift
            let e = VectorMath.expUnderflowingToZero(d * scale)
            store(e, row, i, count)
            s0 += e; s1 += VectorMath.expUnderflowingToZero(d)
            i += Lanes.scalarCount
        }
        return (Double(s0.sum()), Double(s1.sum()))
    }

    /// Calls `body` with each non-empty range of `0..<count` between the `k` ascending `sorted`
    /// indices (the indices themselves excluded): the tail of a top-k row.
    @inline(__always) @usableFromInline
    static func forEachGap(between sorted: UnsafePointer<Int>, _ k: Int, count: Int, _ body: (Range<Int>) -> Void) {
        var start = 0
        for j in 0...k {
            let end = j < k ? sorted[j] : count
            if end > start { body(start..<end) }
            start = end + 1
        }
    }
}
