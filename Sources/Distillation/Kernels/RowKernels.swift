// Fused per-row kernels: cross-entropy and one distance on one row of student
// logits, producing the losses and (optionally) the gradient in one set of
// passes over the row. Every public forward/backward pair and every objective
// is built on these three functions.
//
// Shape legend: V = vocabulary size, K = top-k count.
//   z  (V)  student logits of one row          t  (V)  teacher logits of one row
//   ids (K) teacher top-k ids, lpk (K) their log-probabilities at τ, tail mass
//   sS = 1/τ (student scale), sT = 1/(τ·τ_teacher) (teacher scale)
//
// Passes over V: max, Σexp, [AKL split], distance terms, gradient (top-k: the max and
// Σexp of the tail run over the gaps between the sorted ids, in log space). The gradient
// of the weighted sum  wCE·CE(z, y) + wD·D(p ‖ softmax(z·sS))  is
//   wCE·(softmax(z) − onehot(y)) + wD·sS·(dLogQ − q·ΣdLogQ),
// written to `gradient` (which may alias `z`: each element is read before it is
// written) or added to it when `accumulate`.

import Foundation
import Engine

/// Where a row kernel puts its logit gradient.
@usableFromInline
struct RowGradient {
    @usableFromInline let pointer: UnsafeMutablePointer<Float>?
    @usableFromInline let accumulate: Bool
    @inlinable init(_ pointer: UnsafeMutablePointer<Float>?, accumulate: Bool) {
        self.pointer = pointer; self.accumulate = accumulate
    }
    @usableFromInline static let none = RowGradient(nil, accumulate: false)

    @inline(__always) @usableFromInline
    func put(_ value: Lanes, at i: Int, count: Int) {
        guard let pointer else { return }
        if accumulate {
            RowAccess.store(RowAccess.load(pointer, i, count, fill: 0) + value, pointer, i, count)
        } else {
            RowAccess.store(value, pointer, i, count)
        }
    }

    @inline(__always) @usableFromInline
    func put(_ value: Float, at i: Int) {
        guard let pointer else { return }
        if accumulate { pointer[i] += value } else { pointer[i] = value }
    }
}

/// Losses of one row: cross-entropy (at τ = 1) and the distance (at τ).
@usableFromInline
struct RowLosses {
    @usableFromInline var crossEntropy: Double = 0
    @usableFromInline var distance: Double = 0
    @inlinable init(crossEntropy: Double = 0, distance: Double = 0) {
        self.crossEntropy = crossEntropy; self.distance = distance
    }
}

@usableFromInline
enum RowKernels {
    // MARK: cross-entropy alone

    /// CE(z, label) with gradient `weight·(softmax(z) − onehot(label))`.
    @inline(__always) @usableFromInline
    static func crossEntropy(z: UnsafePointer<Float>, count: Int, label: Int, weight: Float,
                             gradient: RowGradient) -> Double {
        if let out = gradient.pointer, out == UnsafeMutablePointer(mutating: z), !gradient.accumulate {
            // in place: the engine's fused kernel (exponentials stored once, then scaled)
            return CrossEntropy.forwardBackwardInPlace(logits: out, target: Int32(label), vocabularySize: count, scale: weight)
        }
        let labelLogit = z[label]
        let m = VectorMath.maximum(z, count)
        let logNorm = Float(Foundation.log(RowAccess.sumExp(z, 0..<count, shift: m, scale: 1)))
        let loss = Double(m) + Double(logNorm) - Double(labelLogit)
        if gradient.pointer != nil {
            var i = 0
            while i < count {
                let v = RowAccess.load(z, i, count, fill: -.infinity)
                gradient.put(weight * VectorMath.expUnderflowingToZero(v - m - logNorm), at: i, count: count)
                i += Lanes.scalarCount
            }
            gradient.pointer![label] -= weight
        }
        return loss
    }

    // MARK: full teacher logits

    /// CE (if `label ≥ 0` and `crossEntropyWeight ≠ 0`) plus D(softmax(t·sT) ‖ softmax(z·sS)),
    /// gradients for z and (optionally, accumulated) for t.
    @inline(__always) @usableFromInline
    static func full<Term: DistanceTerm>(
        _ term: Term.Type, distance: Distance,
        z: UnsafePointer<Float>, t: UnsafePointer<Float>, count: Int,
        studentScale sS: Float, teacherScale sT: Float,
        label: Int, crossEntropyWeight wCE: Float, distanceWeight wD: Float,
        gradient: RowGradient, teacherGradient: UnsafeMutablePointer<Float>?,
        scratch: KernelScratch
    ) -> RowLosses {
        let withCE = label >= 0 && wCE != 0
        let labelLogit = withCE ? z[label] : 0
        let mz = VectorMath.maximum(z, count), mt = VectorMath.maximum(t, count)
        let logNormQ = Float(Foundation.log(RowAccess.sumExp(z, 0..<count, shift: mz, scale: sS)))
        let logNormP = Float(Foundation.log(RowAccess.sumExp(t, 0..<count, shift: mt, scale: sT)))
        var logNormCE = logNormQ
        if withCE && sS != 1 {
            logNormCE = Float(Foundation.log(RowAccess.sumExp(z, 0..<count, shift: mz, scale: 1)))
        }
        var losses = RowLosses()
        if withCE { losses.crossEntropy = Double(mz) + Double(logNormCE) - Double(labelLogit) }

        var parameters = TermParameters()
        switch distance {
        case .skewedForwardKL(let s), .skewedReverseKL(let s): parameters.skew = s
        case .adaptiveKL(let alpha):
            let p = scratch.floatBuffer(2 * count), gap = p + count
            var i = 0
            while i < count {
                let lq = (RowAccess.load(z, i, count, fill: -.infinity) - mz) * sS - logNormQ
                let lp = (RowAccess.load(t, i, count, fill: -.infinity) - mt) * sT - logNormP
                let pv = VectorMath.expUnderflowingToZero(lp), qv = VectorMath.expUnderflowingToZero(lq)
                RowAccess.store(pv, p, i, count)
                RowAccess.store(VectorMath.abs(pv - qv), gap, i, count)
                i += Lanes.scalarCount
            }
            let w = AdaptiveKLTerm.weights(p: p, gap: gap, count: count, alpha: alpha)
            parameters.headWeight = w.head; parameters.tailWeight = w.tail
        default: break
        }

        var fSum = Lanes(repeating: 0), hq = Lanes(repeating: 0), hp = Lanes(repeating: 0)
        var i = 0
        while i < count {
            let lq = (RowAccess.load(z, i, count, fill: -.infinity) - mz) * sS - logNormQ
            let lp = (RowAccess.load(t, i, count, fill: -.infinity) - mt) * sT - logNormP
            let r = Term.evaluate(lp: lp, lq: lq, parameters)
            fSum += r.f; hq += r.dLogQ; hp += r.dLogP
            i += Lanes.scalarCount
        }
        losses.distance = Double(fSum.sum())
        guard gradient.pointer != nil || teacherGradient != nil else { return losses }

        let sumQ = hq.sum(), sumP = hp.sum()
        let a = wD * sS, b = wD * sT
        let ceWeight = withCE ? wCE : 0
        let ceShift = mz + logNormCE
        let teacherRow = RowGradient(teacherGradient, accumulate: true)
        i = 0
        while i < count {
            let zv = RowAccess.load(z, i, count, fill: -.infinity)
            let lq = (zv - mz) * sS - logNormQ
            let lp = (RowAccess.load(t, i, count, fill: -.infinity) - mt) * sT - logNormP
            let r = Term.evaluate(lp: lp, lq: lq, parameters)
            if gradient.pointer != nil {
                let q = VectorMath.expUnderflowingToZero(lq)
                var g = a * (r.dLogQ - q * sumQ)
                if ceWeight != 0 { g += ceWeight * (sS == 1 ? q : VectorMath.expUnderflowingToZero(zv - ceShift)) }
                gradient.put(g, at: i, count: count)
            }
            if teacherGradient != nil {
                teacherRow.put(b * (r.dLogP - VectorMath.expUnderflowingToZero(lp) * sumP), at: i, count: count)
            }
            i += Lanes.scalarCount
        }
        if ceWeight != 0, let g = gradient.pointer { g[label] -= ceWeight }
        return losses
    }

    // MARK: top-k teacher targets

    /// CE plus D over the K teacher ids and one tail bucket (see `TopKTargets`). The tail is
    /// kept in log space, so a student tail far below the row maximum is a finite log q_tail.
    @inline(__always) @usableFromInline
    static func topK<Term: DistanceTerm>(
        _ term: Term.Type, distance: Distance,
        z: UnsafePointer<Float>, count: Int,
        ids: UnsafePointer<Int32>, logProbabilities lpk: UnsafePointer<Float>, tailMass: Float, k: Int,
        studentScale sS: Float,
        label: Int, crossEntropyWeight wCE: Float, distanceWeight wD: Float,
        gradient: RowGradient, scratch: KernelScratch
    ) -> RowLosses {
        let withCE = label >= 0 && wCE != 0
        let labelLogit = withCE ? z[label] : 0
        let buckets = (k + Lanes.scalarCount) / Lanes.scalarCount * Lanes.scalarCount
        // scratch layout: zk (K) | lp (buckets) | lq (buckets) | dLogQ (buckets) | p (buckets) | gap (buckets)
        let zk = scratch.floatBuffer(k + 5 * buckets)
        let lpB = zk + k, lqB = lpB + buckets, hB = lqB + buckets, pB = hB + buckets, gapB = pB + buckets
        let sorted = scratch.intBuffer(k)
        for j in 0..<k { zk[j] = z[Int(ids[j])]; sorted[j] = Int(ids[j]) }
        var sortedBuffer = UnsafeMutableBufferPointer(start: sorted, count: k)
        sortedBuffer.sort()

        let n = topKNormalizers(z: z, count: count, zk: zk, sorted: sorted, k: k, studentScale: sS,
                                separateCE: withCE && sS != 1, gradient: gradient)
        var losses = RowLosses()
        if withCE { losses.crossEntropy = Double(n.mz) + n.logNormCE - Double(labelLogit) }

        for j in 0..<k {
            lpB[j] = lpk[j]
            lqB[j] = Float(Double((zk[j] - n.mz) * sS) - n.logNorm)
        }
        // with k = V the tail holds no entry on either side: a teacher tail there is a rounding
        // residue, taken as 0, and the empty bucket contributes 0 (0·log 0 = 0)
        lpB[k] = tailMass > 0 && k < count ? Float(Foundation.log(Double(tailMass))) : -.infinity
        lqB[k] = Float(n.tailLogQ)
        for j in (k + 1)..<buckets { lpB[j] = -.infinity; lqB[j] = -.infinity }

        let parameters = topKTermParameters(distance: distance, lp: lpB, lq: lqB, p: pB, gap: gapB, buckets: buckets)
        var fSum = Lanes(repeating: 0), hq = Lanes(repeating: 0)
        var j = 0
        while j < buckets {
            let r = Term.evaluate(lp: RowAccess.load(lpB, j, buckets, fill: -.infinity),
                                  lq: RowAccess.load(lqB, j, buckets, fill: -.infinity), parameters)
            fSum += r.f; hq += r.dLogQ
            RowAccess.store(r.dLogQ, hB, j, buckets)
            j += Lanes.scalarCount
        }
        losses.distance = Double(fSum.sum())
        guard gradient.pointer != nil else { return losses }
        topKGradient(z: z, count: count, zk: zk, ids: ids, sorted: sorted, k: k, studentScale: sS, n,
                     dLogQ: hB, sumDLogQ: Double(hq.sum()),
                     label: label, crossEntropyWeight: withCE ? wCE : 0, distanceWeight: wD, gradient: gradient)
        return losses
    }

    /// The normalizers of one top-k row at the student scale (and at τ = 1 for CE), and how
    /// the exponentials were kept: in place (one temperature, gradient overwriting z) they are
    /// stored once and the gradient is a scaling of them.
    ///
    /// The tail's exponentials `e_v = exp((z_v − tailShift)·sS)` are shifted by the tail's own
    /// maximum, so their sum `tailSum` is ≥ 1 however far the tail lies below the row maximum
    /// `mz`; `log q_tail = (tailShift − mz)·sS + log tailSum − logNorm` is then finite.
    @usableFromInline
    struct TopKNormalizers {
        @usableFromInline var mz: Float = 0, tailShift: Float = 0
        @usableFromInline var tailSum = 0.0, tailLogQ = 0.0, logNorm = 0.0, logNormCE = 0.0
        @usableFromInline var separateCE = false, inPlace = false, inPlaceTwoScales = false
        @inlinable init() {}
    }

    /// The tail's maximum and the row's, the tail sums over the gaps between the sorted ids
    /// (exponentials stored in place when the gradient overwrites z), then the full normalizers.
    @inline(__always) @usableFromInline
    static func topKNormalizers(z: UnsafePointer<Float>, count: Int, zk: UnsafeMutablePointer<Float>,
                                sorted: UnsafeMutablePointer<Int>, k: Int, studentScale sS: Float,
                                separateCE: Bool, gradient: RowGradient) -> TopKNormalizers {
        var n = TopKNormalizers()
        n.separateCE = separateCE
        let overwritesZ = !gradient.accumulate && gradient.pointer == UnsafeMutablePointer(mutating: z)
        n.inPlace = !separateCE && overwritesZ
        // τ = 2 in place (DSKD's default): store e = exp((z − shift)/2), sum exp(z − shift) for CE in
        // the same pass; softmax(z) is then a multiple of e² (other τ would need e^τ = exp(τ·log e),
        // slower than the general path)
        n.inPlaceTwoScales = separateCE && overwritesZ && sS == 0.5
        var tailMax = -Float.infinity
        RowAccess.forEachGap(between: sorted, k, count: count) { range in
            tailMax = max(tailMax, VectorMath.maximum(z + range.lowerBound, range.count))
        }
        var mz = tailMax
        for j in 0..<k { mz = max(mz, zk[j]) }
        n.mz = mz
        n.tailShift = tailMax > -.infinity ? tailMax : mz      // an all −∞ tail: exponentials 0, not NaN
        var tailSum = 0.0, tailSumCE = 0.0
        RowAccess.forEachGap(between: sorted, k, count: count) { range in
            if n.inPlace {
                tailSum += RowAccess.expInPlace(gradient.pointer! + range.lowerBound, range.count, shift: n.tailShift, scale: sS)
            } else if n.inPlaceTwoScales {
                let sums = RowAccess.expInPlaceTwoScales(gradient.pointer! + range.lowerBound, range.count, shift: n.tailShift, scale: sS)
                tailSum += sums.scaled; tailSumCE += sums.unscaled
            } else {
                tailSum += RowAccess.sumExp(z, range, shift: n.tailShift, scale: sS)
                if separateCE { tailSumCE += RowAccess.sumExp(z, range, shift: n.tailShift, scale: 1) }
            }
        }
        n.tailSum = tailSum
        // log of the tail's share of the normalizer (relative to mz), −∞ for an empty tail
        let tailLog = tailSum > 0 ? Double((n.tailShift - mz) * sS) + Foundation.log(tailSum) : -Double.infinity
        var norm = Foundation.exp(tailLog)
        for j in 0..<k { norm += Foundation.exp(Double((zk[j] - mz) * sS)) }
        n.logNorm = Foundation.log(norm)
        n.tailLogQ = tailLog - n.logNorm
        n.logNormCE = n.logNorm
        if separateCE {
            var normCE = tailSumCE > 0 ? Foundation.exp(Double(n.tailShift - mz) + Foundation.log(tailSumCE)) : 0
            for j in 0..<k { normCE += Foundation.exp(Double(zk[j] - mz)) }
            n.logNormCE = Foundation.log(normCE)
        }
        return n
    }

    /// The distance's parameters for one row (AKL's head/tail weights need the buckets' p and q).
    @inline(__always) @usableFromInline
    static func topKTermParameters(distance: Distance, lp: UnsafeMutablePointer<Float>, lq: UnsafeMutablePointer<Float>,
                                   p pB: UnsafeMutablePointer<Float>, gap gapB: UnsafeMutablePointer<Float>,
                                   buckets: Int) -> TermParameters {
        var parameters = TermParameters()
        switch distance {
        case .skewedForwardKL(let s), .skewedReverseKL(let s): parameters.skew = s
        case .adaptiveKL(let alpha):
            for j in 0..<buckets {
                let p = lp[j] == -.infinity ? 0 : Foundation.exp(lp[j])
                let q = lq[j] == -.infinity ? 0 : Foundation.exp(lq[j])
                pB[j] = p; gapB[j] = abs(p - q)
            }
            let w = AdaptiveKLTerm.weights(p: pB, gap: gapB, count: buckets, alpha: alpha)
            parameters.headWeight = w.head; parameters.tailWeight = w.tail
        default: break
        }
        return parameters
    }

    /// The row's logit gradient. A tail entry v gets
    ///   wD·sS·(dLogQ_tail·q_v/q_tail − q_v·ΣdLogQ) + wCE·softmax(z)_v,
    /// written as a multiple of e_v = exp((z_v − tailShift)·sS): q_v/q_tail = e_v/tailSum and
    /// q_v = e_v·ρ with ρ = exp((tailShift − mz)·sS − logNorm) ≤ 1/tailSum, both finite when
    /// q_tail underflows. Then the K teacher ids get their own gradient, and the label −wCE.
    @inline(__always) @usableFromInline
    static func topKGradient(z: UnsafePointer<Float>, count: Int, zk: UnsafeMutablePointer<Float>,
                             ids: UnsafePointer<Int32>, sorted: UnsafeMutablePointer<Int>, k: Int, studentScale sS: Float,
                             _ n: TopKNormalizers, dLogQ hB: UnsafeMutablePointer<Float>, sumDLogQ sumQ: Double,
                             label: Int, crossEntropyWeight ceWeight: Float,
                             distanceWeight wD: Float, gradient: RowGradient) {
        let out = gradient.pointer!
        var tailCoefficient = 0.0, rho = 0.0
        if n.tailSum > 0 {
            rho = Foundation.exp(Double((n.tailShift - n.mz) * sS) - n.logNorm)
            tailCoefficient = Double(wD * sS) * (Double(hB[k]) / n.tailSum - sumQ * rho)
        }
        let shiftCE = Float(Double(n.mz) + n.logNormCE)        // softmax(z)_v = exp(z_v − shiftCE)
        if n.inPlace {
            // the tail now holds e_v (the K ids are overwritten below)
            VectorMath.scale(out, count, by: Float(tailCoefficient + Double(ceWeight) * rho))
        } else if n.inPlaceTwoScales {
            // the tail holds e_v = exp((z_v − tailShift)/2); softmax(z)_v = e_v²·exp(tailShift − shiftCE)
            let a = Float(tailCoefficient)
            let b = Float(Double(ceWeight) * Foundation.exp(Double(n.tailShift - n.mz) - n.logNormCE))
            var i = 0
            while i < count {
                let e = RowAccess.load(out, i, count, fill: 0)
                RowAccess.store(a * e + b * (e * e), out, i, count)
                i += Lanes.scalarCount
            }
        } else {
            let c = Float(tailCoefficient + (n.separateCE ? 0 : Double(ceWeight) * rho))
            let ce = n.separateCE ? ceWeight : 0
            RowAccess.forEachGap(between: sorted, k, count: count) { range in
                var i = range.lowerBound
                while i < range.upperBound {
                    let zv = RowAccess.load(z, i, range.upperBound, fill: -.infinity)
                    var g = c * VectorMath.expUnderflowingToZero((zv - n.tailShift) * sS)
                    if ce != 0 { g += ce * VectorMath.expUnderflowingToZero(zv - shiftCE) }
                    gradient.put(g, at: i, count: range.upperBound)
                    i += Lanes.scalarCount
                }
            }
        }
        // the K teacher ids: their own gradient (the tail passes above did not reach them, or are overwritten)
        for j in 0..<k {
            let q = Foundation.exp(Double((zk[j] - n.mz) * sS) - n.logNorm)
            let qCE = n.separateCE ? Foundation.exp(Double(zk[j] - shiftCE)) : q
            let own = Double(wD * sS) * (Double(hB[j]) - q * sumQ) + Double(ceWeight) * qCE
            gradient.put(Float(own), at: Int(ids[j]))
        }
        if ceWeight != 0 { out[label] -= ceWeight }
    }
}
