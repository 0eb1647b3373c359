import Distillation
import Engine
import Foundation

/// A resumable checkpoint of a `ddk distill` run, one folder per step:
///
///     <run>/checkpoints/step-N/
///         model.safetensors       student weights, Hugging Face names (usable on its own)
///         config.json             Hugging Face config
///         optimizer.safetensors   AdamW moments, AdamW step and settings
///         projectors.safetensors  dskd only: projector weights, their Adam moments and step
///         run_state.json          RunState: step, sampler cursor, DDK weight history, seed, …
///     <run>/checkpoints/latest    the name of the newest complete folder ("step-N")
///
/// Atomic: everything is written into a hidden `.step-N.partial` folder, flushed, and
/// renamed to `step-N` only when complete; `latest` is replaced (temporary file + rename)
/// after that. A write killed midway leaves a partial folder that nothing reads, and the
/// previous checkpoint and `latest` untouched. Every student holds identical weights and
/// optimizer state, so student 0 alone writes.
public enum TrainingCheckpoint {
    public static let projectorsFileName = "projectors.safetensors"
    public static let latestFileName = "latest"

    /// The folder name of the checkpoint after `step` steps.
    public static func folderName(step: Int) -> String { "step-\(step)" }

    /// Writes the checkpoint after `state.step` steps into `checkpointsFolder/step-N` and
    /// points `latest` at it. `stallSeconds` (tests only) sleeps with the folder half
    /// written, so a test can kill the writer mid-write.
    @discardableResult
    public static func save(trainer: StudentTrainer, state: RunState, metadata: [String: String], in checkpointsFolder: URL,
                            stallSeconds: Double = 0) throws -> URL {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: checkpointsFolder, withIntermediateDirectories: true)
        let name = folderName(step: state.step)
        let final = checkpointsFolder.appendingPathComponent(name)
        let partial = checkpointsFolder.appendingPathComponent(".\(name).partial")
        try? fileManager.removeItem(at: partial)  // left by a writer killed earlier

        try Checkpoint.saveModel(parameters: trainer.model.parameters, layout: trainer.model.layout, to: partial,
                                 metadata: metadata.merging(["step": String(state.step)]) { _, new in new })
        if stallSeconds > 0 { Thread.sleep(forTimeInterval: stallSeconds) }
        try Checkpoint.saveTrainingState(TrainingState(step: state.step, tokensSeen: state.tokensSeen),
                                         optimizer: trainer.optimizer, to: partial)
        if let projectors = trainer.objective.dualSpace?.projectors, let optimizer = trainer.objective.projectorOptimizer {
            try saveProjectors(projectors, optimizer: optimizer,
                               to: partial.appendingPathComponent(projectorsFileName).path)
        }
        try AtomicFileWriter.write(try state.encoded(), to: partial.appendingPathComponent(RunState.fileName).path)
        try AtomicFileWriter.synchronizeDirectory(partial.path)

        // Replace an older folder of the same step (a run resumed from before it).
        if fileManager.fileExists(atPath: final.path) {
            let old = checkpointsFolder.appendingPathComponent(".\(name).replaced")
            try? fileManager.removeItem(at: old)
            try fileManager.moveItem(at: final, to: old)
            try fileManager.moveItem(at: partial, to: final)
            try? fileManager.removeItem(at: old)
        } else {
            try fileManager.moveItem(at: partial, to: final)
        }
        try AtomicFileWriter.write(Data((name + "\n").utf8),
                                   to: checkpointsFolder.appendingPathComponent(latestFileName).path)
        try AtomicFileWriter.synchronizeDirectory(checkpointsFolder.path)
        return final
    }

    /// Puts a checkpoint's weights, optimizer and projector state into `trainer` and checks
    /// they were saved after the same step as `state`.
    public static func restore(_ trainer: StudentTrainer, from folder: URL, state: RunState) throws {
        let path = folder.path
        let config = try Checkpoint.loadConfig(from: folder)
        guard config == trainer.model.config else {
            throw ResumeError("\(path): the checkpoint's student (\(config.layerCount) layers, width \(config.hiddenSize), "
                + "vocabulary \(config.vocabularySize)) is not the configured one (\(trainer.model.config.layerCount) layers, "
                + "width \(trainer.model.config.hiddenSize), vocabulary \(trainer.model.config.vocabularySize))")
        }
        try Checkpoint.loadModel(from: folder, into: trainer.model.parameters, layout: trainer.model.layout)
        let training = try Checkpoint.loadTrainingState(into: trainer.optimizer, from: folder)
        guard training.step == state.step else {
            throw ResumeError("\(path): optimizer state is from step \(training.step), run state from step \(state.step)")
        }
        let projectorsPath = folder.appendingPathComponent(projectorsFileName).path
        let hasProjectors = FileManager.default.fileExists(atPath: projectorsPath)
        if let projectors = trainer.objective.dualSpace?.projectors {
            guard hasProjectors else {
                throw ResumeError("\(path): no \(projectorsFileName), but the objective (dskd) trains projectors")
            }
            try loadProjectors(projectors, optimizer: &trainer.objective.projectorOptimizer!, from: projectorsPath)
        } else if hasProjectors {
            throw ResumeError("\(path): holds dskd projectors, but the objective is \(trainer.objective.kind)")
        }
    }

    /// The checkpoint folder named by `--resume`: a path, `latest` (the run folder's
    /// `checkpoints/latest`, which must exist), or `auto` (`latest` when it exists, else nil:
    /// start from step 0 — for jobs that are simply started again, e.g. a requeued Slurm job).
    public static func resolve(_ argument: String, runDirectory: String) throws -> URL? {
        guard argument == "latest" || argument == "auto" else { return URL(fileURLWithPath: argument) }
        let checkpoints = URL(fileURLWithPath: runDirectory).appendingPathComponent("checkpoints")
        let pointer = checkpoints.appendingPathComponent(latestFileName)
        guard let text = try? String(contentsOf: pointer, encoding: .utf8) else {
            if argument == "auto" { return nil }
            throw ResumeError("--resume latest: \(pointer.path) does not exist (no complete checkpoint in \(runDirectory) yet)")
        }
        return checkpoints.appendingPathComponent(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    // MARK: projectors

    static func saveProjectors(_ projectors: DualSpaceProjectors, optimizer: ProjectorOptimizer, to path: String) throws {
        try projectors.parameters.withUnsafeBufferPointer { parameters in
            try optimizer.firstMoment.withUnsafeBufferPointer { first in
                try optimizer.secondMoment.withUnsafeBufferPointer { second in
                    let n = parameters.count
                    try SafetensorsWriter.write([
                        SafetensorsTensor(name: "projectors.parameters", shape: [n], data: parameters),
                        SafetensorsTensor(name: "projectors.adam.first_moment", shape: [n], data: first),
                        SafetensorsTensor(name: "projectors.adam.second_moment", shape: [n], data: second),
                    ], metadata: ["adam_step": String(optimizer.step)], to: path)
                }
            }
        }
    }

    static func loadProjectors(_ projectors: DualSpaceProjectors, optimizer: inout ProjectorOptimizer,
                               from path: String) throws {
        let file = try SafetensorsFile(path: path)
        let n = projectors.parameters.count
        try projectors.parameters.withUnsafeMutableBufferPointer {
            try file.copyFloats("projectors.parameters", expectedShape: [n], into: $0)
        }
        guard let step = file.metadata["adam_step"].flatMap(Int.init) else {
            throw ResumeError("\(path): __metadata__ has no integer 'adam_step'")
        }
        try optimizer.restore(firstMoment: try file.floats("projectors.adam.first_moment"),
                              secondMoment: try file.floats("projectors.adam.second_moment"), step: step)
    }
}
