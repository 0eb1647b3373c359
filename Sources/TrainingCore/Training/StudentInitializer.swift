import Engine
import Foundation
import LanguageModels

/// How a student starts (config `[student]`): random (seeded), from a SwiftDDK checkpoint,
/// or from the teacher by keeping some of its blocks with its embeddings and norms.
public enum StudentInitializer {
    /// The student's architecture: the config's sizes for `random` (vocabulary, norm
    /// epsilon, RoPE and context length from the teacher, tied head), the teacher's with
    /// fewer blocks for `teacher-layers`, the checkpoint's for `checkpoint`.
    public static func architecture(_ section: DistillConfig.StudentSection, teacher: LlamaConfig) throws -> LlamaConfig {
        switch section.initialization {
        case .random:
            return try LlamaConfig(hiddenSize: section.hiddenSize!, intermediateSize: section.intermediateSize!,
                                   layerCount: section.layerCount!, attentionHeadCount: section.headCount!,
                                   keyValueHeadCount: section.keyValueHeadCount!, vocabularySize: teacher.vocabularySize,
                                   rmsNormEpsilon: teacher.rmsNormEpsilon, ropeTheta: teacher.ropeTheta,
                                   maxPositionEmbeddings: teacher.maxPositionEmbeddings, tieWordEmbeddings: true)
        case .teacherLayers:
            let layers = section.teacherLayers ?? []
            if let bad = layers.first(where: { $0 >= teacher.layerCount }) {
                throw StudentInitializationError("student.teacher_layers names block \(bad), the teacher has \(teacher.layerCount) (0...\(teacher.layerCount - 1))")
            }
            var config = teacher
            config.layerCount = layers.count
            try config.validate()
            return config
        case .checkpoint:
            return try Checkpoint.loadConfig(from: URL(fileURLWithPath: section.checkpoint!))
        }
    }

    /// Refuses a student whose vocabulary is not the shards' (`vocabularySource`: the teacher,
    /// or `student.tokenizer`'s file; `JobVocabularies`).
    public static func checkVocabulary(student: LlamaConfig, section: DistillConfig.StudentSection,
                                       vocabularySource: ModelSource) throws {
        guard student.vocabularySize != vocabularySource.architecture.vocabularySize else { return }
        let origin = section.initialization == .checkpoint ? "student checkpoint \(section.checkpoint!)" : "student"
        throw StudentInitializationError("\(origin) has vocabulary size \(student.vocabularySize), \(vocabularySource.path) "
            + "(whose tokenizer wrote the shards) has \(vocabularySource.architecture.vocabularySize): the student must read the shards' vocabulary")
    }

    /// Builds the student for batches up to `batchSize`×`sequenceLength` and sets its
    /// weights. Deterministic: every student rank builds the same weights. `vocabularySource`
    /// is the model whose vocabulary the shards hold (the teacher, unless `student.tokenizer`).
    public static func makeModel(_ section: DistillConfig.StudentSection, vocabularySource: ModelSource,
                                 batchSize: Int, sequenceLength: Int, seed: UInt64) throws -> LlamaModel {
        let config = try architecture(section, teacher: vocabularySource.config)
        try checkVocabulary(student: config, section: section, vocabularySource: vocabularySource)
        let model = try LlamaModel(config: config, batchSize: batchSize, sequenceLength: sequenceLength, seed: seed)
        switch section.initialization {
        case .random:
            break
        case .checkpoint:
            try Checkpoint.loadModel(from: URL(fileURLWithPath: section.checkpoint!), into: model.parameters, layout: model.layout)
        case .teacherLayers:
            let frozen = try vocabularySource.load(1, 1)
            try copyTeacherLayers(section.teacherLayers ?? [], from: frozen.layout, parameters: frozen.parameters,
                                  into: model.layout, parameters: model.parameters)
        }
        return model
    }

    /// Copies the teacher's embeddings, final norm, head (when untied) and the blocks
    /// `layers` (teacher block `layers[i]` becomes student block `i`). Every student tensor
    /// is written; a shape mismatch is reported by name.
    public static func copyTeacherLayers(_ layers: [Int], from teacherLayout: ParameterLayout, parameters teacherParameters: FloatBuffer,
                                         into studentLayout: ParameterLayout, parameters studentParameters: FloatBuffer) throws {
        for tensor in studentLayout.tensors {
            var sourceName = tensor.name
            let prefix = "model.layers."
            if tensor.name.hasPrefix(prefix) {
                let rest = tensor.name.dropFirst(prefix.count)
                let dot = rest.firstIndex(of: ".")!
                let studentBlock = Int(rest[..<dot])!
                sourceName = prefix + String(layers[studentBlock]) + String(rest[dot...])
            }
            guard let source = teacherLayout.tensor(named: sourceName), source.shape == tensor.shape else {
                throw StudentInitializationError("teacher tensor \(sourceName) is missing or has another shape than the student's \(tensor.name) \(tensor.shape)")
            }
            (studentParameters.pointer + tensor.offset).update(from: teacherParameters.pointer + source.offset, count: tensor.count)
        }
    }
}

/// A student that cannot be built as configured.
public struct StudentInitializationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
