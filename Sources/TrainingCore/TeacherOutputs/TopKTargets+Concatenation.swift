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
}
