import DataPipeline
import Engine
import Foundation
import LanguageModels

/// `ddk eval`: a student checkpoint's per-domain validation perplexity on exactly the
/// fixed validation sequences `ddk distill` evaluates at its DDK boundaries (the first
/// `data.validation_sequences` of every domain's validation shard, `ValidationSharding`),
/// beside the teacher's, which comes from the run's on-disk cache
/// (`TeacherPerplexityCache`, same key) or is measured and cached when missing.
///
/// One process, forward passes only: batches of at most `maxBatch` sequences of one domain.
public final class CheckpointEvaluator {
    public let config: DistillConfig
    public let teacher: ModelSource
    /// The student's vocabulary and the teacher's (per-byte perplexities when they differ).
    public let vocabularies: JobVocabularies
    public let dataset: PreparedDataset
    public let sharding: ValidationSharding
    /// Sequences per forward pass.
    public let maxBatch: Int

    /// Where the teacher's perplexity came from.
    public enum TeacherSource: String, Codable, Sendable {
        case cache, measured
    }

    /// Opens the shards of `config` (a dataset made by another tokenizer than the student's
    /// is refused) with forward passes of at most `maxBatchTokens` tokens. `heldOut`: evaluate
    /// that many sequences per domain after DDK's `data.validation_sequences` instead of them.
    public init(config: DistillConfig, teacher: ModelSource, maxBatchTokens: Int = 8192, heldOut: Int? = nil) throws {
        self.config = config
        self.teacher = teacher
        vocabularies = try JobVocabularies(config: config, teacher: teacher)
        let T = config.data.sequenceLength
        dataset = try vocabularies.openShards(config)
        let count = heldOut ?? config.data.validationSequences
        sharding = ValidationSharding(dataset: dataset, sequencesPerDomain: count,
                                      firstSequence: heldOut == nil ? 0 : config.data.validationSequences)
        maxBatch = max(1, min(count, maxBatchTokens / T))
    }

    /// Refuses a checkpoint the shards cannot be evaluated with: another vocabulary size,
    /// another recorded tokenizer, or a run state naming other domains.
    public func check(_ checkpoint: StudentCheckpoint) throws {
        let shards = config.data.shards
        let tokenizer = dataset.summary.tokenizer
        if checkpoint.config.vocabularySize != tokenizer.vocabularySize {
            throw EvaluationError.vocabularyMismatch(checkpoint: checkpoint.folder, checkpointVocabulary: checkpoint.config.vocabularySize,
                                                     shards: shards, shardVocabulary: tokenizer.vocabularySize)
        }
        if let identity = checkpoint.tokenizerIdentity, identity != tokenizer.identity {
            throw EvaluationError.tokenizerMismatch(checkpoint: checkpoint.folder, checkpointIdentity: identity,
                                                    shards: shards, shardIdentity: tokenizer.identity)
        }
        if let state = checkpoint.runState, state.domainNames != dataset.domainNames {
            throw EvaluationError.domainMismatch(runState: (checkpoint.folder as NSString).appendingPathComponent(RunState.fileName),
                                                 runStateDomains: state.domainNames, shardDomains: dataset.domainNames)
        }
    }

    /// The teacher's per-domain sums `[sum_0 … sum_{N−1}, count_0 … count_{N−1}]`: from the
    /// cache `ddk distill` writes, else measured here and written to it.
    public func teacherSums(progress: (String) -> Void = { _ in }) throws -> (sums: [Double], source: TeacherSource) {
        let cache = TeacherPerplexityCache(shardsFolder: config.data.shards)
        let key = try TeacherPerplexityCache.key(teacher: teacher, sharding: sharding, vocabularies: vocabularies)
        if let entry = cache.read(key: key, domains: dataset.domainNames) { return (entry.sums, .cache) }
        progress("teacher perplexity not cached; measuring it with \(teacher.path)")
        var length = dataset.sequenceLength
        let cross = vocabularies.crossTokenization
        if vocabularies.perplexityUnit == .byte, let cross { length = max(length, try sharding.longestScoredText(cross)) }
        let format = TeacherMessageFormat(requirements: [], rows: maxBatch * dataset.sequenceLength, k: 0,
                                          vocabularySize: teacher.architecture.vocabularySize, hiddenWidth: 0, temperature: 1)
        let worker = TeacherWorker(model: try teacher.loadInference(maxBatch, length), format: format,
                                   crossTokenization: cross, perplexityUnit: vocabularies.perplexityUnit)
        let sums = try measure("teacher", progress: progress, crossEntropy: worker.crossEntropy)
        try cache.write(.init(key: key, teacher: teacher.path, domains: dataset.domainNames, sums: sums))
        return (sums, .measured)
    }

    /// The checkpoint's per-domain sums (same layout as `teacherSums`; per byte, the
    /// validation bytes replace the token counts).
    public func studentSums(_ checkpoint: StudentCheckpoint, progress: (String) -> Void = { _ in }) throws -> [Double] {
        let model = try checkpoint.load(maxBatchSize: maxBatch, maxSequenceLength: dataset.sequenceLength)
        var sums = try measure("student", progress: progress, crossEntropy: model.crossEntropy)
        if vocabularies.perplexityUnit == .byte, let cross = vocabularies.crossTokenization {
            sums.replaceSubrange(dataset.domains.count..., with: try sharding.labelBytes(studentTokenizer: cross.studentTokenizer))
        }
        return sums
    }

    /// Checks and evaluates `checkpoint`; `start` is the run's first DDK evaluation (the
    /// student "before"), when known.
    public func evaluate(_ checkpoint: StudentCheckpoint, start: DDKRecord? = nil, configPath: String,
                         progress: (String) -> Void = { _ in }) throws -> CheckpointEvaluation {
        try check(checkpoint)
        let teacher = try teacherSums(progress: progress)
        let student = ValidationSharding.perplexities(try studentSums(checkpoint, progress: progress))
        let teacherPerplexity = ValidationSharding.perplexities(teacher.sums)
        let weights = checkpoint.runState?.currentWeights
        let domains = dataset.domainNames.enumerated().map { index, name in
            CheckpointEvaluation.Domain(
                name: name, teacherPpl: teacherPerplexity[index], studentPpl: student[index],
                studentPplBefore: start?.domains.first { $0.name == name }?.studentPpl, weight: weights?[index])
        }
        return CheckpointEvaluation(
            checkpoint: checkpoint.folder, step: checkpoint.step, config: configPath, teacher: self.teacher.path,
            shards: config.data.shards, sequenceLength: dataset.sequenceLength,
            validationSequences: sharding.sequencesPerDomain, firstValidationSequence: sharding.firstSequence,
            perplexityUnit: vocabularies.perplexityUnit, teacherPplSource: teacher.source,
            tokenizerIdentity: checkpoint.tokenizerIdentity, startStep: start?.step, domains: domains)
    }

    /// Runs `crossEntropy` over every validation batch, reporting progress every few seconds.
    private func measure(_ who: String, progress: (String) -> Void,
                         crossEntropy: (SequenceBatch) throws -> (sum: Double, count: Int)) throws -> [Double] {
        let batchesPerDomain = (sharding.sequencesPerDomain + maxBatch - 1) / maxBatch
        let total = batchesPerDomain * dataset.domains.count
        let started = Date()
        var lastReport = started
        var done = 0
        return try sharding.evaluate(worker: 0, of: 1, maxBatch: maxBatch) { batch in
            let result = try crossEntropy(batch)
            done += 1
            let now = Date()
            if now.timeIntervalSince(lastReport) >= 5 {
                lastReport = now
                progress(String(format: "%@ validation: %d/%d batches of %d×%d tokens, %.0f s", who, done, total,
                                maxBatch, dataset.sequenceLength, now.timeIntervalSince(started)))
            }
            return result
        }
    }
}
