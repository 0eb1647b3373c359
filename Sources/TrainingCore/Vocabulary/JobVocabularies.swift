import DataPipeline
import Distillation
import Engine
import LanguageModels
import Tokenizer

/// The vocabularies of a job: the shards hold the ids of the student's tokenizer, which is
/// the teacher's unless `student.tokenizer` names another model file. With two
/// vocabularies only `ce` (the teacher measures DDK's perplexities) and `dskd-cma` (the
/// teacher re-tokenizes each sequence's text) can run, and perplexities are per byte.
public struct JobVocabularies {
    public let teacher: ModelSource
    /// The model whose vocabulary the student reads (and whose RoPE base and norm ε a random
    /// student takes): the teacher, or the file `student.tokenizer` when its vocabulary is another.
    public let studentSource: ModelSource
    /// The student's text in the teacher's tokens: for `dskd-cma`, and for DDK's per-byte
    /// perplexities with two vocabularies; nil otherwise.
    public let crossTokenization: CrossTokenization?

    /// Opens `student.tokenizer` when set, and refuses an objective or a student
    /// initialization that needs one vocabulary when there are two.
    public init(config: DistillConfig, teacher: ModelSource) throws {
        self.teacher = teacher
        let kind = try ObjectiveKind(name: config.objective.name)
        let named = try config.student.tokenizer.map { try ModelSource(path: $0, role: .model) } ?? teacher
        let shared = try named.requiredTokenizerIdentity() == teacher.requiredTokenizerIdentity()
        // One vocabulary: everything the student takes comes from the teacher (its blocks for
        // `teacher-layers` too), even when `student.tokenizer` names another file of that vocabulary.
        studentSource = shared ? teacher : named
        guard shared || kind == .ce || kind == .dskdCMA else {
            throw StudentInitializationError("objective.name = \"\(kind.rawValue)\" needs one vocabulary, but the student reads "
                + "\(studentSource.path)'s (\(studentSource.architecture.vocabularySize) tokens) and the teacher \(teacher.path) "
                + "another (\(teacher.architecture.vocabularySize) tokens): use objective.name = \"dskd-cma\" for a teacher of another vocabulary")
        }
        guard shared || config.student.initialization != .teacherLayers else {
            throw StudentInitializationError("student.init = \"teacher-layers\" needs the teacher's vocabulary; "
                + "\(teacher.path) has another than \(studentSource.path)")
        }
        guard !shared || kind == .dskdCMA else {
            crossTokenization = nil
            return
        }
        crossTokenization = CrossTokenization(studentTokenizer: try Self.tokenizer(of: studentSource, key: "student.tokenizer"),
                                              teacherTokenizer: try Self.tokenizer(of: teacher, key: "teacher.model"),
                                              teacherSequenceLength: Self.teacherSequenceLength(config))
    }

    /// TT: `teacher.sequence_length`, else T + T/4 + 1 (BOS, and room for a tokenizer that
    /// needs up to a quarter more tokens for the same text: Gemma 3 needs 0.93–1.03 times
    /// SmolLM2's on this corpus).
    public static func teacherSequenceLength(_ config: DistillConfig) -> Int {
        config.teacher.sequenceLength ?? config.data.sequenceLength + config.data.sequenceLength / 4 + 1
    }

    /// Whether student and teacher read the same ids.
    public var isShared: Bool { crossTokenization?.isShared ?? true }

    /// Per token with one vocabulary, per byte with two.
    public var perplexityUnit: PerplexityUnit { isShared ? .token : .byte }

    /// The student's vocabulary size V_S.
    public var studentVocabularySize: Int { studentSource.architecture.vocabularySize }

    /// The tokenizer a GGUF file carries, or a refusal naming the config key.
    static func tokenizer(of source: ModelSource, key: String) throws -> any TextTokenizer {
        guard let tokenizer = source.ownTokenizer else {
            throw StudentInitializationError("\(key) \(source.path) carries no tokenizer; dskd-cma and a student of another "
                + "vocabulary need GGUF files with their tokenizers")
        }
        return tokenizer
    }
}

extension JobVocabularies {
    /// The config's shards, which must hold the student tokenizer's ids.
    public func openShards(_ config: DistillConfig) throws -> PreparedDataset {
        try PreparedDataset(summaryPath: config.data.shards, tokenizerIdentity: try studentSource.requiredTokenizerIdentity(),
                            vocabularySize: studentVocabularySize, sequenceLength: config.data.sequenceLength,
                            validationSequences: config.data.validationSequences, shuffleSeed: config.seed)
    }
}
