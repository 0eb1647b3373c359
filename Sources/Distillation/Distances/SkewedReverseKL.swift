// Skewed reverse KL term, mix = (1−λ)p + λq:
//   f = q (lq − log mix);  ∂f/∂lq = q (lq + 1 − log mix − λ q / mix);  ∂f/∂lp = −(1−λ) p q / mix.
// 0·log 0 = 0: buckets with q = 0 contribute nothing.
// SRKL_λ(p ‖ q) = SFKL_λ(q ‖ p): the skewed forward term with p and q swapped.

@usableFromInline
enum SkewedReverseKLTerm: DistanceTerm {
    @inline(__always) @usableFromInline
    static func evaluate(lp: Lanes, lq: Lanes, _ parameters: TermParameters) -> (f: Lanes, dLogQ: Lanes, dLogP: Lanes) {
        let swapped = SkewedForwardKLTerm.evaluate(lp: lq, lq: lp, parameters)
        return (swapped.f, swapped.dLogP, swapped.dLogQ)
    }
}
