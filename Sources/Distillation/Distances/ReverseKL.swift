// Reverse KL term: f = q (lq − lp); ∂f/∂lq = q (lq − lp + 1); ∂f/∂lp = −q.
// 0·log 0 = 0 for q = 0; buckets where the teacher has p = 0 are dropped, as
// DSKD's inf mask does (their true value is +inf).

import Engine

@usableFromInline
enum ReverseKLTerm: DistanceTerm {
    @inline(__always) @usableFromInline
    static func evaluate(lp: Lanes, lq: Lanes, _ parameters: TermParameters) -> (f: Lanes, dLogQ: Lanes, dLogP: Lanes) {
        let q = VectorMath.expUnderflowingToZero(lq)
        let dropped = (q .== 0) .| (lp .== -.infinity)
        let f = (q * (lq - lp)).replacing(with: 0, where: dropped)
        let dLogQ = (q * (lq - lp + 1)).replacing(with: 0, where: dropped)
        let dLogP = (-q).replacing(with: 0, where: dropped)
        return (f, dLogQ, dLogP)
    }
}
