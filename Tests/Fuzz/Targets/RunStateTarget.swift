import DataPipeline
import Engine
import TrainingCore

/// The JSON files of a run folder: a checkpoint's `run_state.json` (decoded, then the next
/// batch planned from it as a resumed run does), its `config.json` (the student's shape, with
/// the sizes derived from it) and the run's `metrics.jsonl`. Every input goes to all three.
enum RunStateTarget {
    static let runStatePath = "fuzz-run_state.json"
    static let configPath = "fuzz-config.json"
    static let metricsPath = "fuzz-metrics.jsonl"

    static func run(_ bytes: UnsafeRawBufferPointer) {
        let data = FuzzInput.data(bytes)
        if let state = Finding.expectingErrors(naming: runStatePath, { try RunState.decode(data, path: runStatePath) }) {
            planNextStep(resuming: state)
        }
        if let config = Finding.expectingErrors(naming: configPath, { try Checkpoint.decodeConfig(data, path: configPath) }) {
            blackHole((config.parameterCount, config.flopsPerToken(sequenceLength: 2048)))
        }
        Finding.expectingErrors(naming: metricsPath) { _ = try MetricsLog.records(in: FuzzInput.text(bytes), path: metricsPath) }
    }

    /// What a resumed run does with the state before it reads any data (`BatchPlan.resume`,
    /// then the next step's plan), for batches and domain counts a config could name.
    private static func planNextStep(resuming state: RunState) {
        let domains = state.domainNames.count
        guard (1...4096).contains(state.globalBatchSequences), (1...64).contains(domains),
              state.weightHistory.domainCount == domains, state.samplerCursor.served.count == domains else { return }
        _ = state.currentWeights
        _ = try? DomainSampler(seed: state.seed, globalBatchSize: state.globalBatchSequences, domainCount: domains)
            .plan(cursor: state.samplerCursor, history: state.weightHistory)
    }
}
