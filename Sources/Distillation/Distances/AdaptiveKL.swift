// Adaptive KL (ATKD / DSKD's `adaptive_kl`): sort p ascending, reorder q alike,
// gap = |p − q|; the tail is the ascending prefix whose cumulative p ≤ α, the
// head the rest; g_head, g_tail are the summed gaps (no gradient);
//   AKL = g_head/(g_head+g_tail) · FKL + g_tail/(g_head+g_tail) · RKL,
// 0 when p = q exactly (both weights are taken as 0).
//
// The split is found by a three-way quickselect on p (expected linear time), not
// a full sort of V entries: an ascending prefix is decided by the cumulative mass
// of whole partitions. Ties may fall on either side, as with an unstable sort.

@usableFromInline
enum AdaptiveKLTerm: DistanceTerm {
    @inline(__always) @usableFromInline
    static func evaluate(lp: Lanes, lq: Lanes, _ parameters: TermParameters) -> (f: Lanes, dLogQ: Lanes, dLogP: Lanes) {
        let forward = ForwardKLTerm.evaluate(lp: lp, lq: lq, parameters)
        let reverse = ReverseKLTerm.evaluate(lp: lp, lq: lq, parameters)
        let h = parameters.headWeight, t = parameters.tailWeight
        return (h * forward.f + t * reverse.f,
                h * forward.dLogQ + t * reverse.dLogQ,
                h * forward.dLogP + t * reverse.dLogP)
    }

    /// Head and tail weights from teacher probabilities `p` and gaps `|p − q|`
    /// (both of length `count`, reordered in place as scratch).
    @usableFromInline
    static func weights(p: UnsafeMutablePointer<Float>, gap: UnsafeMutablePointer<Float>, count: Int, alpha: Float) -> (head: Float, tail: Float) {
        var totalGap = 0.0
        for i in 0..<count { totalGap += Double(gap[i]) }
        var tailGap = 0.0
        var budget = Double(alpha)   // mass the tail may still take
        var low = 0, high = count    // the undecided range; everything below `low` is tail
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        selection: while low < high {
            // pivot: a pseudo-random element of the range
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let pivot = p[low + Int((state >> 33) % UInt64(high - low))]
            // three-way partition: [low, lt) < pivot, [lt, gt) == pivot, [gt, high) > pivot
            var lt = low, i = low, gt = high
            while i < gt {
                if p[i] < pivot { swapAt(p, gap, lt, i); lt += 1; i += 1 }
                else if p[i] > pivot { gt -= 1; swapAt(p, gap, i, gt) }
                else { i += 1 }
            }
            var lowMass = 0.0
            for j in low..<lt { lowMass += Double(p[j]) }
            if lowMass > budget { high = lt; continue }   // the tail ends inside the lower part
            for j in low..<lt { tailGap += Double(gap[j]) }
            budget -= lowMass
            for j in lt..<gt {                             // ties, one by one
                if Double(p[j]) > budget { break selection }
                budget -= Double(p[j]); tailGap += Double(gap[j])
            }
            low = gt
        }
        let headGap = max(totalGap - tailGap, 0)
        let sum = headGap + tailGap
        if sum == 0 { return (0, 0) }
        return (Float(headGap / sum), Float(tailGap / sum))
    }

    @inline(__always)
    private static func swapAt(_ p: UnsafeMutablePointer<Float>, _ gap: UnsafeMutablePointer<Float>, _ i: Int, _ j: Int) {
        let a = p[i]; p[i] = p[j]; p[j] = a
        let b = gap[i]; gap[i] = gap[j]; gap[j] = b
    }
}
