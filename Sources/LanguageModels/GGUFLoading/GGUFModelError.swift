/// A GGUF file that cannot become an engine model: wrong architecture, missing or
/// inconsistent metadata, a tensor missing, unexpected or of the wrong shape.
public struct GGUFModelError: Error, CustomStringConvertible, Equatable {
    /// The GGUF file.
    public var path: String
    /// The tensor or metadata key concerned, if any.
    public var subject: String?
    /// What is wrong.
    public var problem: String

    public init(path: String, subject: String?, problem: String) {
        self.path = path
        self.subject = subject
        self.problem = problem
    }

    public var description: String {
        if let subject { return "\(path): \(subject): \(problem)" }
        return "\(path): \(problem)"
    }
}
