// Forward KL term: f = p (lp − lq); ∂f/∂lq = −p; ∂f/∂lp = p (lp − lq + 1).
// 0·log 0 = 0: buckets with p = 0 contribute nothing.

import Engine

@usableFromInline
enum ForwardKLTerm: DistanceTerm {
    @inline(__always) @usableFromInline
    static func evaluate(lp: Lanes, lq: Lanes, _ parameters: TermParameters) -> (f: Lanes, dLogQ: Lanes, dLogP: Lanes) {
        let p = VectorMath.expUnderflowingToZero(lp)
        let zero = p .== 0
        let f = (p * (lp - lq)).replacing(with: 0, where: zero)
        let dLogP = (p * (lp - lq + 1)).replacing(with: 0, where: zero)
        return (f, -p, dLogP)
    }
}
