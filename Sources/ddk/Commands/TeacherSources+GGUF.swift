import Runtime

extension TeacherSources {
    /// A GGUF teacher. Loading GGUF weights into the engine comes with the teacher module
    /// (Sources/Engine/Loading); until it is merged a GGUF teacher is refused in one line.
    static func ggufTeacher(_ path: String) throws -> TeacherModelSource {
        throw TeacherModelError(path: path, problem: "GGUF teachers need the engine's GGUF loader (teacher branch), not merged into this build; use a checkpoint folder")
    }
}
