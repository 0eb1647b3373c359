import Distillation

extension TopKTargets {
    /// The rows of several top-k target sets, one after the other (same k, V and τ).
    public static func concatenated(_ parts: [TopKTargets]) throws -> TopKTargets {
        let first = parts[0]
        return try TopKTargets(rowCount: parts.reduce(0) { $0 + $1.rowCount }, k: first.k,
                               vocabularySize: first.vocabularySize, temperature: first.temperature,
                               ids: parts.flatMap(\.ids), logProbabilities: parts.flatMap(\.logProbabilities),
                               tailMass: parts.flatMap(\.tailMass))
    }

    /// The rows `range`, as targets of their own.
    public func rows(_ range: Range<Int>) throws -> TopKTargets {
        try TopKTargets(rowCount: range.count, k: k, vocabularySize: vocabularySize, temperature: temperature,
                        ids: Array(ids[range.lowerBound * k..<range.upperBound * k]),
                        logProbabilities: Array(logProbabilities[range.lowerBound * k..<range.upperBound * k]),
                        tailMass: Array(tailMass[range]))
    }
}
