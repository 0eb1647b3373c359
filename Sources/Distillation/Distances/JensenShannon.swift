// Jensen–Shannon term with ε = 1e-9 inside each log (as DSKD):
//   m = (p+q)/2,  f = ½ p (log(p+ε) − log(m+ε)) + ½ q (log(q+ε) − log(m+ε))
//   ∂f/∂q = ½ (log(q+ε) − log(m+ε)) + ½ q/(q+ε) − ½ m/(m+ε)   (p alike), times q for ∂f/∂lq.

import Engine

@usableFromInline
enum JensenShannonTerm: DistanceTerm {
    @usableFromInline static let epsilon: Float = 1e-9

    @inline(__always) @usableFromInline
    static func evaluate(lp: Lanes, lq: Lanes, _ parameters: TermParameters) -> (f: Lanes, dLogQ: Lanes, dLogP: Lanes) {
        let p = VectorMath.expUnderflowingToZero(lp), q = VectorMath.expUnderflowingToZero(lq)
        let m = 0.5 * (p + q)
        let logP = VectorMath.log(p + epsilon), logQ = VectorMath.log(q + epsilon), logM = VectorMath.log(m + epsilon)
        let f = 0.5 * (p * (logP - logM) + q * (logQ - logM))
        let mRatio = m / (m + epsilon)
        let dQ = 0.5 * (logQ - logM + q / (q + epsilon) - mRatio)
        let dP = 0.5 * (logP - logM + p / (p + epsilon) - mRatio)
        return (f, q * dQ, p * dP)
    }
}
