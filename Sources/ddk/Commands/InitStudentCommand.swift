import ArgumentParser
import Engine
import Foundation
import LanguageModels
import Runtime
import TrainingCore

/// `ddk init-student`: a student made from the teacher by keeping some of its blocks
/// (with its embeddings, final norm and head), written as a SwiftDDK checkpoint that a run
/// config uses with `student.init = "checkpoint"`.
struct InitStudentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-student",
        abstract: "Make a student from selected teacher blocks (embeddings and norms kept) and write it as a checkpoint.")

    @OptionGroup var teacher: TeacherOption

    @Option(help: "Teacher blocks to keep, comma-separated (e.g. 0,3,6,9); default every --every-th block.")
    var layers: String?

    @Option(help: "Keep every n-th block starting at 0 when --layers is not given.")
    var every: Int = 3

    @Option(help: "Output folder.")
    var out: String

    @OptionGroup var output: JSONOutputOption

    /// `--json` output.
    struct Report: Encodable {
        var out: String
        var layers: [Int]
        var parameters: Int
    }

    func run() throws {
        let source = try teacher.open()
        let tokenizerIdentity = try source.requiredTokenizerIdentity()
        let blocks: [Int]
        if let layers {
            blocks = try layers.split(separator: ",").map {
                guard let block = Int($0.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--layers: \"\($0)\" is not a block number") }
                return block
            }
        } else {
            guard every >= 1 else { throw ValidationError("--every must be 1 or more") }
            blocks = try Array(stride(from: 0, to: source.config.layerCount, by: every))
        }
        var section = DistillConfig.StudentSection(initialization: .teacherLayers)
        section.teacherLayers = blocks
        let architecture = try StudentInitializer.architecture(section, teacher: source.config)
        let student = try LlamaModel(config: architecture, batchSize: 1, sequenceLength: 1, seed: 0)
        let frozen = try source.load(1, 1)
        try StudentInitializer.copyTeacherLayers(blocks, from: frozen.layout, parameters: frozen.parameters,
                                                 into: student.layout, parameters: student.parameters)
        try Checkpoint.saveModel(parameters: student.parameters, layout: student.layout, to: URL(fileURLWithPath: out),
                                 metadata: [ModelSource.tokenizerIdentityKey: tokenizerIdentity,
                                            "teacher": teacher.teacher, "teacher_layers": blocks.map(String.init).joined(separator: ",")])
        if output.json {
            try printJSON(Report(out: out, layers: blocks, parameters: architecture.parameterCount))
        } else {
            print("init-student: teacher blocks \(blocks) of \(try source.config.layerCount), \(architecture.parameterCount) parameters -> \(out)")
        }
    }
}
