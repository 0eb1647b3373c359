import Foundation
import Runtime

/// Opens the teacher named in a run config: a SwiftDDK checkpoint folder (read by the
/// runtime) or a GGUF file.
enum TeacherSources {
    static func open(_ path: String) throws -> TeacherModelSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TeacherModelError(path: path, problem: "does not exist (fetch it with launch/fetch-teacher, or make a tiny one with `ddk init-model`)")
        }
        if isDirectory.boolValue { return try TeacherModelSource.checkpoint(directory: path) }
        return try ggufTeacher(path)
    }
}
