import Foundation

extension StudentCheckpoint {
    /// What the run folder around a checkpoint says about the student before training.
    public enum RunStart {
        /// The run's first DDK evaluation (step 0 unless the log starts later), from `metricsPath`.
        case found(DDKRecord, metricsPath: String)
        /// No `metrics.jsonl` two levels up: the checkpoint is not inside a run folder.
        case notInRun
        /// The log has no DDK evaluation yet.
        case noEvaluation(metricsPath: String)
        /// The log belongs to another run (no run record with the checkpoint's config hash).
        case otherRun(metricsPath: String)
        /// The run evaluated other validation sequences (shards, sequence length or count)
        /// than the config this evaluation uses.
        case otherValidation(metricsPath: String)

        /// The evaluation, when found.
        public var record: DDKRecord? {
            if case .found(let record, _) = self { return record }
            return nil
        }
    }

    /// Reads `RUN/metrics.jsonl` (two levels up) for the student's perplexity at the run's
    /// first DDK boundary. A log whose run records all carry another config hash than the
    /// checkpoint's is not used, nor one whose run evaluated other validation sequences than
    /// `config` names (`data.shards`, `sequence_length`, `validation_sequences`).
    public func runStart(comparableWith config: DistillConfig) throws -> RunStart {
        guard let path = runMetricsPath else { return .notInRun }
        let records = try MetricsLog.read(path: path)
        let runs = records.compactMap { record -> RunRecord? in
            if case .run(let run) = record { return run }
            return nil
        }
        let matching = runs.filter { configHash == nil || $0.configHash == configHash }
        if !runs.isEmpty && matching.isEmpty { return .otherRun(metricsPath: path) }
        if let run = matching.first, let logged = try? DistillConfig.parse(run.config, source: path),
           (logged.data.shards, logged.data.sequenceLength, logged.data.validationSequences)
            != (config.data.shards, config.data.sequenceLength, config.data.validationSequences) {
            return .otherValidation(metricsPath: path)
        }
        let evaluations = records.compactMap { record -> DDKRecord? in
            if case .ddk(let ddk) = record { return ddk }
            return nil
        }
        guard let first = evaluations.first(where: { $0.step == 0 }) ?? evaluations.first else {
            return .noEvaluation(metricsPath: path)
        }
        return .found(first, metricsPath: path)
    }
}
