import Foundation
import LanguageModels
import TrainingCore

/// Runs a plan's arms one run at a time (seed by seed across the arms): each run is `ddk distill` (through the plan's
/// launcher) with `--resume auto`, so a run interrupted earlier continues from its newest
/// checkpoint, a finished run is not trained again, and an evaluated run (its
/// `result.json`) is skipped; then the held-out evaluation in this process.
struct ExperimentRunner {
    let plan: ExperimentPlan
    let planPath: String
    /// This `ddk` binary, which the runs start.
    let ddkPath: String
    let note: (String) -> Void

    /// Every run's result, arm by arm in plan order. Runs go seed by seed (every arm's first
    /// seed, then every arm's second, ...), so an experiment stopped partway has compared
    /// all its arms on the seeds it finished.
    func run() throws -> [[ExperimentRunResult]] {
        let total = plan.arm.reduce(0) { $0 + $1.seeds.count }
        let rounds = plan.arm.map(\.seeds.count).max() ?? 0
        var results = plan.arm.map { _ in [ExperimentRunResult]() }
        var index = 0
        for round in 0..<rounds {
            for (armIndex, arm) in plan.arm.enumerated() where round < arm.seeds.count {
                index += 1
                let seed = arm.seeds[round]
                results[armIndex].append(try run(arm: arm, seed: seed,
                                                 label: "\(plan.experiment.name): arm \(arm.name) seed \(seed) (\(index)/\(total))"))
            }
        }
        return results
    }

    /// The results of the runs evaluated so far (their `result.json`), arm by arm in plan
    /// order, without training or evaluating anything: a summary of an experiment under way.
    func finishedResults() throws -> [[ExperimentRunResult]] {
        try plan.arm.map { arm in
            try arm.seeds.compactMap { seed in
                let (config, steps, _) = try plan.config(arm: arm, seed: seed)
                return ExperimentRunResult.read(runDirectory: config.resolvedRunDirectory, steps: steps)
            }
        }
    }

    private func run(arm: ExperimentPlan.Arm, seed: UInt64, label: String) throws -> ExperimentRunResult {
        let (config, steps, overrides) = try plan.config(arm: arm, seed: seed)
        let folder = config.resolvedRunDirectory
        if let done = ExperimentRunResult.read(runDirectory: folder, steps: steps) {
            note("\(label): done earlier (\(folder)/\(ExperimentRunResult.fileName)), skipped")
            return done
        }
        let reached = Self.checkpointStep(runDirectory: folder)
        if reached.map({ $0 < steps }) ?? true {
            note("\(label): training \(steps) steps" + (reached.map { ", resuming after step \($0)" } ?? "") + " in \(folder)")
            try train(overrides: overrides, folder: folder, label: label)
        } else {
            note("\(label): trained earlier, evaluating")
        }
        let result = try evaluate(arm: arm, seed: seed, config: config, steps: steps)
        try result.write()
        note(String(format: "%@: held-out mean perplexity per %@ %.3f", label, result.perplexityUnit, result.meanPpl))
        return result
    }

    /// The step of the run folder's newest complete checkpoint, if any.
    static func checkpointStep(runDirectory: String) -> Int? {
        guard let folder = try? TrainingCheckpoint.resolve("auto", runDirectory: runDirectory) else { return nil }
        return try? RunState.load(from: folder).step
    }

    /// `ddk distill --resume auto` through the launcher; its output goes to FOLDER/distill.log.
    private func train(overrides: [String], folder: String, label: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let logPath = (folder as NSString).appendingPathComponent("distill.log")
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }
        try log.seekToEnd()
        let process = Process()
        let launcher = plan.experiment.launcher ?? []
        process.executableURL = URL(fileURLWithPath: launcher.isEmpty ? ddkPath : "/usr/bin/env")
        process.arguments = (launcher.isEmpty ? [] : launcher + [ddkPath])
            + ["distill", "--config", plan.experiment.config] + overrides.flatMap { ["--set", $0] } + ["--resume", "auto"]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ExperimentError("\(label): ddk distill exited with status \(process.terminationStatus); see \(logPath)")
        }
    }

    /// The held-out evaluation of the run's newest checkpoint.
    private func evaluate(arm: ExperimentPlan.Arm, seed: UInt64, config: DistillConfig, steps: Int) throws -> ExperimentRunResult {
        let folder = config.resolvedRunDirectory
        guard let checkpointFolder = try TrainingCheckpoint.resolve("auto", runDirectory: folder) else {
            throw ExperimentError("\(folder): the run left no checkpoint to evaluate")
        }
        let evaluator = try CheckpointEvaluator(config: config, teacher: try ModelSource(path: config.teacher.model, role: .teacher),
                                                heldOut: plan.experiment.heldOutSequences)
        let checkpoint = try StudentCheckpoint(folder: checkpointFolder.path)
        let evaluation = try evaluator.evaluate(checkpoint, configPath: planPath)
        let validation = ValidationSharding(dataset: evaluator.dataset, sequencesPerDomain: config.data.validationSequences)
        let records = try MetricsLog.read(path: (folder as NSString).appendingPathComponent("metrics.jsonl"))
        let seconds = records.reduce(0.0) { sum, record in
            if case .step(let step) = record { return sum + step.stepSeconds }
            return sum
        }
        return ExperimentRunResult(
            arm: arm.name, seed: seed, runDirectory: folder, steps: steps,
            tokens: steps * config.data.globalBatchSequences * config.data.sequenceLength, trainingSeconds: seconds,
            studentInitialization: Self.describe(config.student),
            initialWeightsHash: checkpoint.runState?.initialWeightsHash, validationHash: ContentHash.hex(try validation.tokenHash()),
            heldOutHash: ContentHash.hex(try evaluator.sharding.tokenHash()), perplexityUnit: evaluation.perplexityUnit.rawValue,
            domains: evaluation.domains.map(\.name), teacherPpl: evaluation.domains.map(\.teacherPpl),
            studentPpl: evaluation.domains.map(\.studentPpl))
    }

    static func describe(_ student: DistillConfig.StudentSection) -> String {
        switch student.initialization {
        case .checkpoint: return "checkpoint \(student.checkpoint ?? "?")"
        case .teacherLayers: return "teacher-layers \(student.teacherLayers ?? [])"
        case .random:
            return "random \(student.layerCount ?? 0)×\(student.hiddenSize ?? 0) (ffn \(student.intermediateSize ?? 0))"
        }
    }
}
