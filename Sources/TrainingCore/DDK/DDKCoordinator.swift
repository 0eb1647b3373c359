/// Rank 0's DDK decisions (docs/ALGORITHMS.md §1): at every interval boundary it turns the
/// reduced per-domain validation losses into perplexities, applies the configured mode to
/// the current weights, and produces the `ddk` metrics record holding everything needed
/// to recompute the update (perplexities, weights before and after, mode, α).
///
/// The first boundary (step 0) sets the initial weights from uniform (`weight_before` =
/// 1/N); the run's last boundary (step = steps) measures the final student and records
/// the weights the next interval would use.
public final class DDKCoordinator {
    public let weighting: DomainWeighting
    public let domainNames: [String]
    public let teacherPerplexity: [Double]
    /// Per token, or per byte when the vocabularies differ (docs/ALGORITHMS.md §5).
    public let unit: PerplexityUnit
    /// Per byte: each domain's validation bytes, which replace the students' token counts.
    public let validationBytes: [Double]?
    /// The weights in force (nil before the first boundary).
    public private(set) var weights: [Double]?

    /// `teacherPerplexity` in `unit`; `validationBytes` is required per byte.
    public init(weighting: DomainWeighting, domainNames: [String], teacherPerplexity: [Double],
                unit: PerplexityUnit = .token, validationBytes: [Double]? = nil) {
        precondition(unit == .token || validationBytes?.count == domainNames.count, "per-byte DDK needs every domain's bytes")
        self.weighting = weighting
        self.domainNames = domainNames
        self.teacherPerplexity = teacherPerplexity
        self.unit = unit
        self.validationBytes = unit == .byte ? validationBytes : nil
    }

    /// Decides the weights from `step` on, from the students' reduced validation sums
    /// `[sum_0 … sum_{N−1}, tokens_0 … tokens_{N−1}]`.
    public func decide(step: Int, studentSums: [Double]) throws -> DDKRecord {
        var sums = studentSums
        if let validationBytes { sums.replaceSubrange(domainNames.count..., with: validationBytes) }
        let studentPerplexity = ValidationSharding.perplexities(sums)
        let before = weights ?? Array(repeating: 1 / Double(domainNames.count), count: domainNames.count)
        let after: [Double]
        if weights == nil {
            after = try weighting.initialWeights(studentPerplexity: studentPerplexity, teacherPerplexity: teacherPerplexity)
        } else {
            after = try weighting.updatedWeights(current: before, studentPerplexity: studentPerplexity,
                                                 teacherPerplexity: teacherPerplexity)
        }
        weights = after
        let domains = domainNames.indices.map {
            DDKRecord.Domain(name: domainNames[$0], studentPpl: studentPerplexity[$0], teacherPpl: teacherPerplexity[$0],
                             weightBefore: before[$0], weightAfter: after[$0])
        }
        var record = DDKRecord(step: step, mode: weighting.mode, alpha: weighting.alpha, domains: domains)
        record.perplexityUnit = unit
        return record
    }

    /// Continues a resumed run: the weights in force at the checkpoint's step.
    public func resume(weights: [Double]) throws {
        guard weights.count == domainNames.count else {
            throw ResumeError("the checkpoint holds \(weights.count) domain weights for \(domainNames.count) domains")
        }
        self.weights = weights
    }
}
