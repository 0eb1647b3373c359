import ArgumentParser
import Engine
import Foundation
import LanguageModels
import Runtime
import TrainingCore

/// `ddk eval`: the per-domain table of any student checkpoint — teacher perplexity, the
/// student's before (from the run's metrics.jsonl) and at the checkpoint, the ratio and the
/// DDK weight (from run_state.json) — on the validation sequences `ddk distill` uses.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Per-domain validation perplexity of a student checkpoint beside the teacher's (the ddk report table).",
        discussion: """
        The checkpoint is evaluated on the first data.validation_sequences sequences of every \
        domain's validation shard, as ddk distill does at its DDK boundaries (with --held-out N: \
        on the N sequences after them, which DDK never measured); the teacher's \
        perplexity comes from the run's cache (<shards>/cache), measured and cached when missing. \
        Perplexities are per token, or per byte of the same text when the student's vocabulary \
        (student.tokenizer) is not the teacher's. \
        The config defaults to DIR/../../config.toml (a checkpoint inside a run folder). With \
        --json prints one object: checkpoint, step, config, teacher, shards, sequence_length, \
        validation_sequences, first_validation_sequence, perplexity_unit, teacher_ppl_source, tokenizer_identity, start_step, domains \
        [{name, teacher_ppl, student_ppl, student_ppl_before, ratio, weight}], mean_teacher_ppl, \
        mean_student_ppl, mean_student_ppl_before (unknown values are null). \
        Example: ddk eval --checkpoint runs/tiny/checkpoints/step-8
        """)

    @Option(help: "The checkpoint folder (model.safetensors + config.json), e.g. runs/NAME/checkpoints/step-N.")
    var checkpoint: String

    @Option(help: "The run config (TOML); default: the run's config.toml two levels above the checkpoint.")
    var config: String?

    @Option(name: .customLong("held-out"),
            help: "Evaluate N sequences per domain after DDK's data.validation_sequences (a set DDK never measured) instead of DDK's own.")
    var heldOut: Int?

    @OptionGroup var overrides: ConfigOverridesOption

    @OptionGroup var output: JSONOutputOption

    func run() throws {
        BLASThreads.set(1)
        do {
            try evaluate()
        } catch {
            FileHandle.standardError.write(Data("ddk eval: error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func evaluate() throws {
        let student = try StudentCheckpoint(folder: checkpoint)
        guard let configPath = config ?? student.runConfigPath else {
            throw EvaluationError.missingConfig(looked: (student.runFolder as NSString).appendingPathComponent("config.toml"))
        }
        let runConfig = try DistillConfig.load(path: configPath, overrides: overrides.overrides)
        if let heldOut, heldOut < 1 { throw ValidationError("--held-out must be 1 or more, got \(heldOut)") }
        let evaluator = try CheckpointEvaluator(config: runConfig, teacher: try ModelSource(path: runConfig.teacher.model, role: .teacher),
                                                heldOut: heldOut)
        // The run's first evaluation measured DDK's sequences: no "before" for a held-out set.
        let start = heldOut == nil ? try student.runStart(comparableWith: runConfig) : .notInRun
        let result = try evaluator.evaluate(student, start: start.record, configPath: configPath, progress: note)
        // Said once the evaluation succeeded (a failure prints its one line only).
        switch start {
        case .found: break
        case .notInRun where heldOut != nil: break
        case .notInRun: note("no metrics.jsonl in \(student.runFolder): the student's perplexity before training is not known")
        case .noEvaluation(let path): note("\(path) has no DDK evaluation: the student's perplexity before training is not known")
        case .otherRun(let path): note("\(path) belongs to another run (config hash): the student's perplexity before training is not shown")
        case .otherValidation(let path):
            note("\(path) comes from other validation sequences (data.shards, sequence_length or validation_sequences): the student's perplexity before training is not shown")
        }
        if student.tokenizerIdentity == nil {
            note("\(student.weightsPath) records no tokenizer identity; only its vocabulary size was checked against the shards")
        }
        if output.json {
            try printJSON(result)
            return
        }
        var sources = ["teacher ppl \(result.teacherPplSource == .cache ? "from the cache" : "measured (now cached)")"]
        if case .found(let record, let path) = start { sources.append("before from \(path) (step \(record.step))") }
        sources.append(student.runState == nil ? "no \(RunState.fileName): weights unknown" : "weights from \(RunState.fileName)")
        print("checkpoint \(result.checkpoint)\(result.step.map { " (step \($0))" } ?? ""): "
            + "\(result.validationSequences) \(heldOut == nil ? "" : "held-out ")validation sequences × \(result.sequenceLength) tokens per domain"
            + (result.firstValidationSequence > 0 ? " from sequence \(result.firstValidationSequence)" : "")
            + ", perplexity per \(result.perplexityUnit.rawValue); "
            + sources.joined(separator: "; "))
        for line in result.table.lines { print(line) }
    }

    /// A line on stderr (stdout stays the table or the one JSON object).
    private func note(_ text: String) {
        FileHandle.standardError.write(Data("ddk eval: \(text)\n".utf8))
    }
}
