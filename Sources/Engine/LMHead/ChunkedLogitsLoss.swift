/// A loss over the LM head's logits, computed chunk by chunk so that the full
/// (B·T, V) logits matrix never exists at once.
///
/// For each chunk of `rowCount` consecutive rows of the flattened (B·T) batch
/// starting at `rowStart`, the engine computes logits (rowCount, V) and calls
/// `lossAndGradient`. The conformer must overwrite `logits` IN PLACE with
/// ∂Loss/∂logits (already including any normalisation, e.g. 1/labelCount) and
/// return the summed (unnormalised or normalised, its choice) loss of those rows.
/// The engine then accumulates ∂Loss/∂W_head and ∂Loss/∂hidden from it.
public protocol ChunkedLogitsLoss {
    mutating func lossAndGradient(rowStart: Int, rowCount: Int,
                                  logits: UnsafeMutablePointer<Float>, vocabularySize: Int) -> Double
}

/// Softmax cross-entropy against next-token targets with an ignore mask.
///
/// Rows whose target is negative or equal to `ignoreIndex` contribute nothing.
/// The gradient is scaled by 1/`normalizer` — by default the number of counted
/// rows (`labelCount`), so the parameter gradient is that of the mean loss; a
/// data-parallel trainer passes the GLOBAL label count instead. Each call
/// returns the SUM of its row losses; `meanLoss` divides by `labelCount`.
public struct CrossEntropyLoss: ChunkedLogitsLoss {
    /// Next-token targets, one per row of the flattened batch (B·T).
    public let targets: [Int32]
    /// An extra target id to ignore (e.g. padding), besides negative ids.
    public let ignoreIndex: Int32?
    /// Number of rows that count.
    public let labelCount: Int
    /// The gradient is divided by this.
    public let normalizer: Double
    /// Sum of the row losses seen so far.
    public private(set) var lossSum: Double = 0

    /// `targets` has B·T entries; every counted target must lie in 0..<vocabularySize.
    public init(targets: [Int32], vocabularySize: Int, ignoreIndex: Int32? = nil, normalizer: Double? = nil) throws {
        var count = 0
        for (i, t) in targets.enumerated() where !Self.ignored(t, ignoreIndex) {
            guard Int(t) < vocabularySize else {
                throw EngineError.tokenOutOfRange(token: t, position: i, vocabularySize: vocabularySize)
            }
            count += 1
        }
        self.targets = targets
        self.ignoreIndex = ignoreIndex
        labelCount = count
        self.normalizer = normalizer ?? Double(max(count, 1))
    }

    /// Mean loss per counted row so far (nats/token).
    public var meanLoss: Double { labelCount > 0 ? lossSum / Double(labelCount) : 0 }

    @inline(__always)
    static func ignored(_ t: Int32, _ ignoreIndex: Int32?) -> Bool { t < 0 || t == ignoreIndex }

    public mutating func lossAndGradient(rowStart: Int, rowCount: Int,
                                         logits: UnsafeMutablePointer<Float>, vocabularySize V: Int) -> Double {
        let scale = Float(1.0 / normalizer)
        var sum = 0.0
        for r in 0..<rowCount {
            let row = logits + r * V
            let t = targets[rowStart + r]
            if Self.ignored(t, ignoreIndex) {
                row.update(repeating: 0, count: V)
                continue
            }
            sum += CrossEntropy.forwardBackwardInPlace(logits: row, target: t, vocabularySize: V, scale: scale)
        }
        lossSum += sum
        return sum
    }
}
