import Foundation

/// How the DDK coordinator sets the domain sampling weights (docs/ALGORITHMS.md §1).
public enum DomainWeightingMode: String, Codable, Sendable, CaseIterable {
    /// DDK proper: Eq. 1 at the start, then factor smooth updating (Eq. 2) every interval.
    case smooth
    /// Ablation: Eq. 1 recomputed from scratch every interval (no history, no floor).
    case unsmoothed
    /// Ablation: every domain weighted 1/N, whatever the gaps.
    case uniform
    /// Fixed weights given by the user.
    case `static`
}

/// The DDK weight rules as pure functions of the measured perplexities.
///
/// With `ℓS[i]`, `ℓT[i]` the student's and teacher's validation perplexities on domain `i`:
/// - Eq. 1, the domain discrepancy factor: `r[i] = softmax_i(ℓS[i] / ℓT[i])`.
/// - Eq. 2, factor smooth updating: `ψ[i] = r_t[i] · exp(ℓS[i] / ℓT[i])`,
///   `r_{t+1}[i] = α · ψ[i] / Σ_j ψ[j] + (1 − α) / N`.
///
/// Everything is computed in `Double`; `exp` of the ratios is taken after subtracting the
/// largest ratio, which leaves the normalized result unchanged and cannot overflow.
public struct DomainWeighting: Equatable, Sendable {
    public let mode: DomainWeightingMode
    /// The smoothing factor α of Eq. 2 (the paper's default 0.5).
    public let alpha: Double
    /// The user's weights for `static` mode (normalized on construction).
    public let staticWeights: [Double]?

    /// Checks the parameters: α in [0, 1]; `static` needs non-negative weights with a
    /// positive sum, one per domain.
    public init(mode: DomainWeightingMode, alpha: Double = 0.5, staticWeights: [Double]? = nil) throws {
        guard (0...1).contains(alpha) else { throw DomainWeightingError.alphaOutOfRange(alpha) }
        self.mode = mode
        self.alpha = alpha
        if mode == .static {
            guard let weights = staticWeights, !weights.isEmpty else { throw DomainWeightingError.missingStaticWeights }
            guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }), weights.reduce(0, +) > 0 else {
                throw DomainWeightingError.invalidStaticWeights(weights)
            }
            let total = weights.reduce(0, +)
            self.staticWeights = weights.map { $0 / total }
        } else {
            self.staticWeights = nil
        }
    }

    /// The weights before training starts, from the initial perplexities.
    public func initialWeights(studentPerplexity: [Double], teacherPerplexity: [Double]) throws -> [Double] {
        let ratios = try Self.ratios(studentPerplexity, teacherPerplexity)
        switch mode {
        case .smooth, .unsmoothed: return Self.discrepancyFactor(ratios: ratios)
        case .uniform: return Array(repeating: 1 / Double(ratios.count), count: ratios.count)
        case .static: return try checkedStaticWeights(count: ratios.count)
        }
    }

    /// The weights for the next interval, from the current ones and the perplexities
    /// measured at the interval boundary.
    public func updatedWeights(current: [Double], studentPerplexity: [Double],
                               teacherPerplexity: [Double]) throws -> [Double] {
        let ratios = try Self.ratios(studentPerplexity, teacherPerplexity)
        guard current.count == ratios.count else {
            throw DomainWeightingError.domainCountMismatch(weights: current.count, perplexities: ratios.count)
        }
        switch mode {
        case .smooth: return Self.smoothUpdate(current: current, ratios: ratios, alpha: alpha)
        case .unsmoothed: return Self.discrepancyFactor(ratios: ratios)
        case .uniform: return Array(repeating: 1 / Double(ratios.count), count: ratios.count)
        case .static: return try checkedStaticWeights(count: ratios.count)
        }
    }

    /// Eq. 1: a softmax over the student/teacher perplexity ratios.
    public static func discrepancyFactor(ratios: [Double]) -> [Double] {
        let largest = ratios.max() ?? 0
        let exponentials = ratios.map { exp($0 - largest) }
        let total = exponentials.reduce(0, +)
        return exponentials.map { $0 / total }
    }

    /// Eq. 2: `α · normalize(r · exp(ratio)) + (1 − α)/N`.
    public static func smoothUpdate(current: [Double], ratios: [Double], alpha: Double) -> [Double] {
        let largest = ratios.max() ?? 0
        let psi = zip(current, ratios).map { weight, ratio in weight * exp(ratio - largest) }
        let total = psi.reduce(0, +)
        let floor = (1 - alpha) / Double(ratios.count)
        return psi.map { alpha * $0 / total + floor }
    }

    private func checkedStaticWeights(count: Int) throws -> [Double] {
        guard let weights = staticWeights, weights.count == count else {
            throw DomainWeightingError.domainCountMismatch(weights: staticWeights?.count ?? 0, perplexities: count)
        }
        return weights
    }

    private static func ratios(_ student: [Double], _ teacher: [Double]) throws -> [Double] {
        guard !student.isEmpty else { throw DomainWeightingError.noDomains }
        guard student.count == teacher.count else {
            throw DomainWeightingError.domainCountMismatch(weights: student.count, perplexities: teacher.count)
        }
        for (index, (s, t)) in zip(student, teacher).enumerated() {
            guard s.isFinite, s > 0, t.isFinite, t > 0 else {
                throw DomainWeightingError.invalidPerplexity(domainIndex: index, student: s, teacher: t)
            }
        }
        return zip(student, teacher).map { $0 / $1 }
    }
}

/// Why domain weights could not be computed.
public enum DomainWeightingError: Error, Equatable, CustomStringConvertible {
    case alphaOutOfRange(Double)
    case missingStaticWeights
    case invalidStaticWeights([Double])
    case noDomains
    case domainCountMismatch(weights: Int, perplexities: Int)
    case invalidPerplexity(domainIndex: Int, student: Double, teacher: Double)

    public var description: String {
        switch self {
        case .alphaOutOfRange(let alpha):
            return "DDK alpha \(alpha) is outside [0, 1]"
        case .missingStaticWeights:
            return "DDK mode \"static\" needs static_weights, one per domain"
        case .invalidStaticWeights(let weights):
            return "DDK static weights \(weights) must be non-negative with a positive sum"
        case .noDomains:
            return "DDK weighting needs at least one domain"
        case .domainCountMismatch(let weights, let perplexities):
            return "DDK weighting got \(weights) weights for \(perplexities) domains"
        case .invalidPerplexity(let index, let student, let teacher):
            return "domain \(index) has perplexity student \(student), teacher \(teacher): both must be finite and positive"
        }
    }
}
