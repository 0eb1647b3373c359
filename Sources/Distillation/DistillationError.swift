/// Errors of the Distillation module: one line naming the object and what is wrong.
public enum DistillationError: Error, CustomStringConvertible, Equatable {
    /// A distance name not in `Distance.names`.
    case unknownDistance(String)
    /// An objective name not in `ObjectiveKind`.
    case unknownObjective(String)
    /// A numeric setting outside its domain: (name, value, requirement).
    case invalidParameter(String, Double, String)
    /// Two inputs disagree in size: (what, expected, got).
    case sizeMismatch(String, expected: Int, got: Int)
    /// A token id outside the vocabulary: (what, id, vocabulary size).
    case tokenOutOfRange(String, id: Int, vocabularySize: Int)
    /// The teacher data handed to an objective lacks something it declared.
    case missingTeacherData(String)

    public var description: String {
        switch self {
        case .unknownDistance(let name):
            "distillation: unknown distance '\(name)'; use one of \(Distance.names.joined(separator: ", "))"
        case .unknownObjective(let name):
            "distillation: unknown objective '\(name)'; use one of \(ObjectiveKind.names.joined(separator: ", "))"
        case .invalidParameter(let name, let value, let requirement):
            "distillation: \(name) = \(value) \(requirement)"
        case .sizeMismatch(let what, let expected, let got):
            "distillation: \(what) has \(got) elements, expected \(expected)"
        case .tokenOutOfRange(let what, let id, let vocabularySize):
            "distillation: \(what) holds token id \(id), outside the vocabulary of \(vocabularySize)"
        case .missingTeacherData(let what):
            "distillation: the teacher data lacks \(what), which this objective declared"
        }
    }
}
