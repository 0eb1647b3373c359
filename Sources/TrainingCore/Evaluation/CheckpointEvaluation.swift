import Foundation

/// The result of `ddk eval` (its `--json` object; field names are an interface listed in
/// the README): per domain the teacher's and the checkpoint's validation perplexity, the
/// student's at the run's start when known, and the DDK weight in force at the checkpoint.
/// Unknown values are JSON `null`.
public struct CheckpointEvaluation: Encodable, Equatable, Sendable {
    /// One domain's row.
    public struct Domain: Encodable, Equatable, Sendable {
        public var name: String
        public var teacherPpl: Double
        /// The checkpoint's perplexity.
        public var studentPpl: Double
        /// The student's perplexity at the run's first DDK evaluation (`start_step`).
        public var studentPplBefore: Double?
        /// The domain weight in force at the checkpoint's step (from `run_state.json`).
        public var weight: Double?

        /// Checkpoint over teacher perplexity.
        public var ratio: Double { studentPpl / teacherPpl }

        enum CodingKeys: String, CodingKey {
            case name, ratio, weight
            case teacherPpl = "teacher_ppl"
            case studentPpl = "student_ppl"
            case studentPplBefore = "student_ppl_before"
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(teacherPpl, forKey: .teacherPpl)
            try container.encode(studentPpl, forKey: .studentPpl)
            try container.encode(studentPplBefore, forKey: .studentPplBefore)
            try container.encode(ratio, forKey: .ratio)
            try container.encode(weight, forKey: .weight)
        }
    }

    /// The checkpoint folder.
    public var checkpoint: String
    /// Steps trained (run state or metadata; nil: not recorded).
    public var step: Int?
    /// The run config used.
    public var config: String
    /// The teacher file or folder.
    public var teacher: String
    /// The shards folder.
    public var shards: String
    public var sequenceLength: Int
    public var validationSequences: Int
    /// The first validation sequence evaluated: 0 for DDK's own, `data.validation_sequences`
    /// for a held-out set (`--held-out`).
    public var firstValidationSequence: Int
    /// What the perplexities are per: token, or byte when student and teacher vocabularies differ.
    public var perplexityUnit: PerplexityUnit
    /// `cache` or `measured` (and then cached).
    public var teacherPplSource: CheckpointEvaluator.TeacherSource
    /// The checkpoint's recorded tokenizer identity (equal to the shards'; nil: not recorded).
    public var tokenizerIdentity: String?
    /// The step of the run's evaluation the `student_ppl_before` values come from.
    public var startStep: Int?
    public var domains: [Domain]

    public var meanTeacherPpl: Double { domains.map(\.teacherPpl).reduce(0, +) / Double(max(1, domains.count)) }
    public var meanStudentPpl: Double { table.meanStudentPerplexityAfter }
    public var meanStudentPplBefore: Double? { table.meanStudentPerplexityBefore }

    /// The same table `ddk report` prints.
    public var table: PerplexityTable {
        PerplexityTable(
            beforeHeading: "student ppl (\(startStep.map { "step \($0)" } ?? "before"))",
            afterHeading: "student ppl (\(step.map { "step \($0)" } ?? "checkpoint"))",
            rows: domains.map {
                PerplexityTable.Row(domain: $0.name, teacherPerplexity: $0.teacherPpl, studentPerplexityBefore: $0.studentPplBefore,
                                    studentPerplexityAfter: $0.studentPpl, weight: $0.weight)
            })
    }

    enum CodingKeys: String, CodingKey {
        case checkpoint, step, config, teacher, shards, domains
        case sequenceLength = "sequence_length"
        case validationSequences = "validation_sequences"
        case firstValidationSequence = "first_validation_sequence"
        case perplexityUnit = "perplexity_unit"
        case teacherPplSource = "teacher_ppl_source"
        case tokenizerIdentity = "tokenizer_identity"
        case startStep = "start_step"
        case meanTeacherPpl = "mean_teacher_ppl"
        case meanStudentPpl = "mean_student_ppl"
        case meanStudentPplBefore = "mean_student_ppl_before"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(checkpoint, forKey: .checkpoint)
        try container.encode(step, forKey: .step)
        try container.encode(config, forKey: .config)
        try container.encode(teacher, forKey: .teacher)
        try container.encode(shards, forKey: .shards)
        try container.encode(sequenceLength, forKey: .sequenceLength)
        try container.encode(validationSequences, forKey: .validationSequences)
        try container.encode(firstValidationSequence, forKey: .firstValidationSequence)
        try container.encode(perplexityUnit, forKey: .perplexityUnit)
        try container.encode(teacherPplSource, forKey: .teacherPplSource)
        try container.encode(tokenizerIdentity, forKey: .tokenizerIdentity)
        try container.encode(startStep, forKey: .startStep)
        try container.encode(domains, forKey: .domains)
        try container.encode(meanTeacherPpl, forKey: .meanTeacherPpl)
        try container.encode(meanStudentPpl, forKey: .meanStudentPpl)
        try container.encode(meanStudentPplBefore, forKey: .meanStudentPplBefore)
    }

    /// The `--json` text: one object, sorted keys, one line.
    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
