// Skewed reverse KL term, mix = (1−λ)p + λq:
//   f = q (lq − log mix);  ∂f/∂lq = q (lq + 1 − log mix − λ q / mix);  ∂f/∂lp = −(1−λ) p q / mix.
// 0·log 0 = 0: buckets with q = 0 contribute nothing.

import Engine

@usableFromInline
enum SkewedReverseKLTerm: DistanceTerm {
    @inline(__always) @usableFromInline
    static func evaluate(lp: Lanes, lq: Lanes, _ parameters: TermParameters) -> (f: Lanes, dLogQ: Lanes, dLogP: Lanes) {
        let lambda = parameters.skew
        let p = VectorMath.exp(lp), q = VectorMath.exp(lq)
        let mix = (1 - lambda) * p + lambda * q
        let logMix = VectorMath.log(mix)
        let zeroQ = q .== 0
        let inverseMix = (1 / mix).replacing(with: 0, where: mix .== 0)
        let f = (q * (lq - logMix)).replacing(with: 0, where: zeroQ)
        let dLogQ = (q * (lq + 1 - logMix - lambda * q * inverseMix)).replacing(with: 0, where: zeroQ)
        let dLogP = -(1 - lambda) * p * q * inverseMix
        return (f, dLogQ, dLogP)
    }
}
