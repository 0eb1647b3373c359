/// Domain sampling weights r: a checked probability vector, one entry per domain
/// in dataset order.
public struct DomainWeights: Sendable, Equatable, Codable {
    /// The weights (non-negative, summing to 1 within `tolerance`).
    public let values: [Double]

    /// Accepted |Σ r − 1|.
    public static let tolerance = 1e-6

    /// Checks `values`: one per domain (when `domainNames` is given), finite, ≥ 0,
    /// not all zero, summing to 1 within `tolerance`.
    public init(_ values: [Double], domainNames: [String]? = nil) throws {
        func name(_ index: Int) -> String {
            if let domainNames, index < domainNames.count { return "domain '\(domainNames[index])'" }
            return "domain #\(index)"
        }
        if let domainNames, domainNames.count != values.count {
            throw SamplerError("domain weights: \(values.count) weights for \(domainNames.count) domains")
        }
        guard !values.isEmpty else { throw SamplerError("domain weights: empty weight vector") }
        for (index, value) in values.enumerated() {
            guard value.isFinite else { throw SamplerError("domain weights: weight of \(name(index)) is \(value)") }
            guard value >= 0 else { throw SamplerError("domain weights: weight of \(name(index)) is negative (\(value))") }
        }
        let sum = values.reduce(0, +)
        guard abs(sum - 1) <= DomainWeights.tolerance else {
            throw SamplerError("domain weights: sum to \(sum), not 1 (tolerance \(DomainWeights.tolerance))")
        }
        self.values = values
    }

    /// Equal weights over `count` domains.
    public static func uniform(count: Int) -> DomainWeights {
        precondition(count > 0, "uniform weights need at least one domain")
        return try! DomainWeights(Array(repeating: 1 / Double(count), count: count))
    }

    /// Number of domains.
    public var count: Int { values.count }

    /// Decoding checks the values like `init(_:)`.
    public init(from decoder: Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode([Double].self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}
