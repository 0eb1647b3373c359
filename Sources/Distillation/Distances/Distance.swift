// The token-level distances between a teacher distribution p and a student
// distribution q (docs/ALGORITHMS.md §2), written once per distance as a lane-wise
// term over "buckets" (vocabulary entries, or top-k ids plus one tail bucket).
//
// Shape legend: V = vocabulary size, K = top-k count, W = 16 lanes.
//
// For every bucket b with log-probabilities lp, lq (both already at
// temperature τ) a term returns
//   f      the bucket's contribution to D(p ‖ q),
//   dLogQ  ∂D/∂log q_b  (= q_b ∂D/∂q_b),
//   dLogP  ∂D/∂log p_b  (= p_b ∂D/∂p_b).
// The row kernels turn these into logit gradients with the softmax Jacobian:
//   ∂D/∂s_v = dLogQ_v − q_v Σ_b dLogQ_b   (s = logits / τ), and alike for p.

/// A token-level distance D(p ‖ q) between teacher p and student q.
public enum Distance: Equatable, Sendable, CustomStringConvertible {
    /// Forward KL `Σ p (log p − log q)`.
    case forwardKL
    /// Reverse KL `Σ q (log q − log p)`; buckets where p = 0 are dropped (DSKD's inf mask).
    case reverseKL
    /// Jensen–Shannon `½ Σ p log(p/m) + ½ Σ q log(q/m)`, m = (p+q)/2, 1e-9 inside each log.
    case jensenShannon
    /// Skewed forward KL `Σ p (log p − log(λp + (1−λ)q))`.
    case skewedForwardKL(skew: Float)
    /// Skewed reverse KL `Σ q (log q − log((1−λ)p + λq))`.
    case skewedReverseKL(skew: Float)
    /// Adaptive KL: head/tail split of the teacher mass at cumulative `alpha` (ascending
    /// order), weights from the summed |p − q| gaps (no gradient), `w_head·FKL + w_tail·RKL`.
    case adaptiveKL(alpha: Float)
    /// Total variation `½ Σ |p − q|`.
    case totalVariation

    /// Default skew λ of the skewed KLs.
    public static let defaultSkew: Float = 0.1
    /// Default cumulative-mass threshold α of adaptive KL.
    public static let defaultAdaptiveAlpha: Float = 0.5

    /// The names accepted in configurations: `fkl`, `rkl`, `js`, `sfkl`, `srkl`, `akl`, `tvd`.
    public static let names = ["fkl", "rkl", "js", "sfkl", "srkl", "akl", "tvd"]

    /// Parses a configuration name; `skew` and `alpha` parameterize `sfkl`/`srkl` and `akl`.
    public init(name: String, skew: Float = Distance.defaultSkew,
                alpha: Float = Distance.defaultAdaptiveAlpha) throws {
        switch name {
        case "fkl": self = .forwardKL
        case "rkl": self = .reverseKL
        case "js": self = .jensenShannon
        case "sfkl": self = .skewedForwardKL(skew: skew)
        case "srkl": self = .skewedReverseKL(skew: skew)
        case "akl": self = .adaptiveKL(alpha: alpha)
        case "tvd": self = .totalVariation
        default: throw DistillationError.unknownDistance(name)
        }
        if case .skewedForwardKL = self, !(skew > 0 && skew < 1) { throw DistillationError.invalidParameter("skew", Double(skew), "must lie in (0, 1)") }
        if case .skewedReverseKL = self, !(skew > 0 && skew < 1) { throw DistillationError.invalidParameter("skew", Double(skew), "must lie in (0, 1)") }
        if case .adaptiveKL = self, !(alpha > 0 && alpha < 1) { throw DistillationError.invalidParameter("akl alpha", Double(alpha), "must lie in (0, 1)") }
    }

    /// The configuration name.
    public var name: String {
        switch self {
        case .forwardKL: "fkl"
        case .reverseKL: "rkl"
        case .jensenShannon: "js"
        case .skewedForwardKL: "sfkl"
        case .skewedReverseKL: "srkl"
        case .adaptiveKL: "akl"
        case .totalVariation: "tvd"
        }
    }

    public var description: String {
        switch self {
        case .skewedForwardKL(let s), .skewedReverseKL(let s): "\(name)(λ=\(s))"
        case .adaptiveKL(let a): "akl(α=\(a))"
        default: name
        }
    }
}

/// Per-row values a term needs besides the two log-probabilities.
@usableFromInline
struct TermParameters {
    @usableFromInline var skew: Float = 0
    @usableFromInline var headWeight: Float = 0
    @usableFromInline var tailWeight: Float = 0
    @inlinable init(skew: Float = 0, headWeight: Float = 0, tailWeight: Float = 0) {
        self.skew = skew; self.headWeight = headWeight; self.tailWeight = tailWeight
    }
}

/// One distance's lane-wise bucket term (see the file header).
@usableFromInline
protocol DistanceTerm {
    static func evaluate(lp: Lanes, lq: Lanes, _ parameters: TermParameters)
        -> (f: Lanes, dLogQ: Lanes, dLogP: Lanes)
}
