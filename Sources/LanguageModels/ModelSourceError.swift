/// A model file or folder that cannot be used, in one line naming it (and what it is to
/// the command: "teacher data/teacher/x.gguf: does not exist (...)").
public struct ModelSourceError: Error, CustomStringConvertible {
    public var role: ModelSource.Role
    public var path: String
    public var problem: String

    public init(role: ModelSource.Role, path: String, problem: String) {
        self.role = role
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(role.rawValue) \(path): \(problem)" }
}
