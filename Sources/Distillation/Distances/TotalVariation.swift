// Total variation term: f = ½ |p − q|; ∂f/∂lq = ½ q sign(q − p); ∂f/∂lp = ½ p sign(p − q)
// (sign(0) = 0: the subgradient 0 where p = q).

import Engine

@usableFromInline
enum TotalVariationTerm: DistanceTerm {
    @inline(__always) @usableFromInline
    static func evaluate(lp: Lanes, lq: Lanes, _ parameters: TermParameters) -> (f: Lanes, dLogQ: Lanes, dLogP: Lanes) {
        let p = VectorMath.expUnderflowingToZero(lp), q = VectorMath.expUnderflowingToZero(lq)
        let d = q - p
        var sign = Lanes(repeating: 0)
        sign = sign.replacing(with: 1, where: d .> 0)
        sign = sign.replacing(with: -1, where: d .< 0)
        let f = 0.5 * (d * sign)
        return (f, 0.5 * q * sign, -0.5 * p * sign)
    }
}
