// Independent double-precision references: plain loops over the formulas of
// docs/ALGORITHMS.md §2, used by the tests (no code shared with the kernels).

import Foundation
import Distillation

enum Reference {
    static func logSoftmax(_ z: [Double], scale: Double) -> [Double] {
        let s = z.map { $0 * scale }
        let m = s.max()!
        let lse = m + log(s.reduce(0) { $0 + exp($1 - m) })
        return s.map { $0 - lse }
    }

    /// AKL weights from a full ascending sort (as DSKD's code), cumulative ≤ alpha is tail.
    static func adaptiveWeights(p: [Double], q: [Double], alpha: Double) -> (Double, Double) {
        let order = p.indices.sorted { p[$0] < p[$1] }
        var cumulative = 0.0, head = 0.0, tail = 0.0
        for i in order {
            cumulative += p[i]
            if cumulative <= alpha { tail += abs(p[i] - q[i]) } else { head += abs(p[i] - q[i]) }
        }
        if head + tail == 0 { return (0, 0) }
        return (head / (head + tail), tail / (head + tail))
    }

    /// D(p ‖ q) over buckets; `fixedWeights` freezes AKL's weights (they carry no gradient).
    static func distance(_ d: Distance, p: [Double], q: [Double], fixedWeights: (Double, Double)? = nil) -> Double {
        logDistance(d, lp: p.map(log), lq: q.map(log), fixedWeights: fixedWeights)
    }

    /// D(p ‖ q) from bucket log-probabilities (−∞ for an empty bucket), exact however small a
    /// bucket is: every log of a probability is taken from `lp`, `lq` or a log-add-exp of them.
    static func logDistance(_ d: Distance, lp: [Double], lq: [Double], fixedWeights: (Double, Double)? = nil) -> Double {
        let p = lp.map(exp), q = lq.map(exp)
        var sum = 0.0
        switch d {
        case .forwardKL:
            for i in p.indices where lp[i] > -.infinity { sum += p[i] * (lp[i] - lq[i]) }
        case .reverseKL:
            for i in p.indices where lq[i] > -.infinity && lp[i] > -.infinity { sum += q[i] * (lq[i] - lp[i]) }
        case .jensenShannon:
            let e = 1e-9
            for i in p.indices {
                let m = (p[i] + q[i]) / 2
                sum += 0.5 * p[i] * (log(p[i] + e) - log(m + e)) + 0.5 * q[i] * (log(q[i] + e) - log(m + e))
            }
        case .skewedForwardKL(let s):
            let l = Double(s)
            for i in p.indices where lp[i] > -.infinity {
                sum += p[i] * (lp[i] - logAddExp(log(l) + lp[i], log(1 - l) + lq[i]))
            }
        case .skewedReverseKL(let s):
            let l = Double(s)
            for i in p.indices where lq[i] > -.infinity {
                sum += q[i] * (lq[i] - logAddExp(log(1 - l) + lp[i], log(l) + lq[i]))
            }
        case .adaptiveKL(let a):
            let (wh, wt) = fixedWeights ?? adaptiveWeights(p: p, q: q, alpha: Double(a))
            sum = wh * logDistance(.forwardKL, lp: lp, lq: lq) + wt * logDistance(.reverseKL, lp: lp, lq: lq)
        case .totalVariation:
            for i in p.indices { sum += 0.5 * abs(p[i] - q[i]) }
        }
        return sum
    }

    static func logAddExp(_ a: Double, _ b: Double) -> Double {
        let m = max(a, b)
        if m == -.infinity { return m }
        return m + log(exp(a - m) + exp(b - m))
    }

    static func logSumExp(_ x: [Double]) -> Double {
        guard let m = x.max(), m > -.infinity else { return -.infinity }
        return m + log(x.reduce(0) { $0 + exp($1 - m) })
    }

    /// Log-space buckets of the top-k treatment for given teacher log-probabilities at the ids and
    /// teacher tail mass: the student's log q at the ids and its tail log-mass, a log-sum-exp over
    /// the other entries. An empty tail (k = V) is an empty bucket on both sides (−∞).
    static func logBuckets(student: [Double], ids: [Int], tau: Double,
                           teacherLogProbabilities lpIds: [Double], teacherTail: Double) -> (lp: [Double], lq: [Double]) {
        let lq = logSoftmax(student, scale: 1 / tau)
        let inTop = Set(ids)
        let tail = lq.indices.filter { !inTop.contains($0) }.map { lq[$0] }
        return (lpIds + [tail.isEmpty ? -.infinity : log(teacherTail)], ids.map { lq[$0] } + [logSumExp(tail)])
    }

    /// Full-vocabulary loss of one row from logits.
    static func rowLoss(_ d: Distance, student: [Double], teacher: [Double], tau: Double,
                        fixedWeights: (Double, Double)? = nil) -> Double {
        let q = logSoftmax(student, scale: 1 / tau).map(exp)
        let p = logSoftmax(teacher, scale: 1 / tau).map(exp)
        return distance(d, p: p, q: q, fixedWeights: fixedWeights)
    }

    static func fullWeights(_ d: Distance, student: [Double], teacher: [Double], tau: Double) -> (Double, Double)? {
        guard case .adaptiveKL(let a) = d else { return nil }
        let q = logSoftmax(student, scale: 1 / tau).map(exp)
        let p = logSoftmax(teacher, scale: 1 / tau).map(exp)
        return adaptiveWeights(p: p, q: q, alpha: Double(a))
    }

    /// Bucket distributions of the top-k treatment: (k ids + tail) on both sides.
    static func buckets(student: [Double], teacher: [Double], ids: [Int], tau: Double) -> (p: [Double], q: [Double]) {
        let q = logSoftmax(student, scale: 1 / tau).map(exp)
        let p = logSoftmax(teacher, scale: 1 / tau).map(exp)
        let inTop = Set(ids)
        var qb = ids.map { q[$0] }, pb = ids.map { p[$0] }
        qb.append(q.indices.filter { !inTop.contains($0) }.reduce(0) { $0 + q[$1] })
        pb.append(p.indices.filter { !inTop.contains($0) }.reduce(0) { $0 + p[$1] })
        return (pb, qb)
    }

    static func crossEntropy(_ z: [Double], label: Int) -> Double {
        -logSoftmax(z, scale: 1)[label]
    }

    /// Central finite difference of `f` at `x` along coordinate `i`.
    static func derivative(_ f: ([Double]) -> Double, at x: [Double], _ i: Int, step: Double = 1e-5) -> Double {
        var a = x, b = x
        a[i] += step; b[i] -= step
        return (f(a) - f(b)) / (2 * step)
    }
}

/// Deterministic pseudo-random numbers for test data.
struct TestRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
    mutating func normal() -> Double {
        let u = max(next(), 1e-12), v = next()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
    mutating func array(_ n: Int, scale: Double = 1) -> [Double] { (0..<n).map { _ in normal() * scale } }
}

let allDistances: [Distance] = [.forwardKL, .reverseKL, .jensenShannon, .skewedForwardKL(skew: 0.1),
                                .skewedReverseKL(skew: 0.1), .adaptiveKL(alpha: 0.5), .totalVariation]
