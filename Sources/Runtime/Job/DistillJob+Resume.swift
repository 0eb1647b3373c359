import DataPipeline
import Engine
import Foundation
import LanguageModels
import MPI
import TrainingCore

/// Where a resumed run starts: the checkpoint folder and its run state.
struct ResumePoint {
    var folder: URL
    var state: RunState
}

extension DistillJob {
    /// `--resume`: rank 0 resolves the checkpoint folder and reads its run state, and
    /// broadcasts both on `world` (every rank takes rank 0's decision, also when the option
    /// was not given: an empty message). Then every rank checks the state against the
    /// config and the shards alike.
    func agreeOnResumePoint(dataset: PreparedDataset) throws -> ResumePoint? {
        var bytes: [UInt8] = []
        if world.rank == 0, let argument = options.resume,
           let folder = try TrainingCheckpoint.resolve(argument, runDirectory: config.resolvedRunDirectory) {
            let state = try RunState.load(from: folder)
            bytes = Array(folder.path.utf8) + [0] + Array(try state.encoded())
        }
        bytes = try world.broadcastVariable(bytes, root: 0, within: collectiveDeadline, on: "world",
                                            for: "resume point broadcast")
        guard let separator = bytes.firstIndex(of: 0) else { return nil }
        let folder = URL(fileURLWithPath: String(decoding: bytes[..<separator], as: UTF8.self))
        let state = try JSONDecoder().decode(RunState.self, from: Data(bytes[(separator + 1)...]))
        try Self.checkResumable(state, folder: folder, config: config, domainNames: dataset.domainNames)
        if options.checkGradient { throw ResumeError("--check-gradient compares step 0; it cannot be combined with --resume") }
        return ResumePoint(folder: folder, state: state)
    }

    /// Refuses a checkpoint whose batches this run would not derive alike (one line each).
    static func checkResumable(_ state: RunState, folder: URL, config: DistillConfig, domainNames: [String]) throws {
        let path = folder.path
        func refuse(_ what: String, _ saved: String, _ configured: String) -> ResumeError {
            ResumeError("--resume \(path): the checkpoint's \(what) is \(saved), the config's \(configured); "
                + "a run continues only with the same data derivation")
        }
        if state.seed != config.seed { throw refuse("seed", "\(state.seed)", "\(config.seed)") }
        if state.globalBatchSequences != config.data.globalBatchSequences {
            throw refuse("global batch", "\(state.globalBatchSequences) sequences", "\(config.data.globalBatchSequences)")
        }
        if state.sequenceLength != config.data.sequenceLength {
            throw refuse("sequence length", "\(state.sequenceLength)", "\(config.data.sequenceLength)")
        }
        if state.domainNames != domainNames {
            throw refuse("domains", state.domainNames.joined(separator: ","), domainNames.joined(separator: ","))
        }
        if state.step > config.training.steps {
            throw ResumeError("--resume \(path): the checkpoint is after step \(state.step), beyond training.steps = "
                + "\(config.training.steps)")
        }
    }

    /// Student 0 writes the resumable checkpoint after `step` steps (`TrainingCheckpoint`).
    func writeCheckpoint(_ student: StudentPart, plan: BatchPlan, afterStep step: Int) throws {
        let state = RunState(step: step, tokensSeen: step * config.data.globalBatchSequences * config.data.sequenceLength,
                             configHash: configHash, seed: config.seed,
                             globalBatchSequences: config.data.globalBatchSequences,
                             sequenceLength: config.data.sequenceLength, studentCount: layout.studentRanks.count,
                             domainNames: plan.dataset.domainNames, samplerCursor: plan.cursor,
                             weightHistory: plan.history!, intervalSteps: config.ddk.intervalSteps,
                             initialWeightsHash: student.initialWeightsHash)
        precondition(plan.cursor.step == step, "checkpoint after step \(step) with the sampler at \(plan.cursor.step)")
        try TrainingCheckpoint.save(
            trainer: student.trainer, state: state,
            metadata: [ModelSource.tokenizerIdentityKey: try vocabularies.studentSource.requiredTokenizerIdentity(), "config_hash": configHash],
            in: URL(fileURLWithPath: config.resolvedRunDirectory).appendingPathComponent("checkpoints"),
            stallSeconds: testHooks.checkpointStallSeconds(afterStep: step))
    }
}
