// Skewed forward KL term, mix = λp + (1−λ)q:
//   f = p (lp − log mix);  ∂f/∂lq = −(1−λ) p q / mix;  ∂f/∂lp = p (lp + 1 − log mix − λ p / mix).
// 0·log 0 = 0: buckets with p = 0 contribute nothing.

import Engine

@usableFromInline
enum SkewedForwardKLTerm: DistanceTerm {
    @inline(__always) @usableFromInline
    static func evaluate(lp: Lanes, lq: Lanes, _ parameters: TermParameters) -> (f: Lanes, dLogQ: Lanes, dLogP: Lanes) {
        let lambda = parameters.skew
        let p = VectorMath.expUnderflowingToZero(lp), q = VectorMath.expUnderflowingToZero(lq)
        let mix = lambda * p + (1 - lambda) * q
        let logMix = VectorMath.log(mix)
        let zeroP = p .== 0
        let inverseMix = (1 / mix).replacing(with: 0, where: mix .== 0)
        let f = (p * (lp - logMix)).replacing(with: 0, where: zeroP)
        let dLogQ = -(1 - lambda) * p * q * inverseMix
        let dLogP = (p * (lp + 1 - logMix - lambda * p * inverseMix)).replacing(with: 0, where: zeroP)
        return (f, dLogQ, dLogP)
    }
}
