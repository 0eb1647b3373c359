import Engine
import Foundation
import LanguageModels

/// A student checkpoint folder opened for evaluation: `config.json` (Hugging Face names),
/// `model.safetensors` (its metadata may name the tokenizer, the step and the config hash)
/// and, when `ddk distill` wrote it, `run_state.json` (step, DDK weights).
///
/// Only the header of `model.safetensors` is read here; `load` reads the weights.
public struct StudentCheckpoint {
    /// The folder as given.
    public let folder: String
    /// The architecture from `config.json`.
    public let config: LlamaConfig
    /// Path of `model.safetensors`.
    public let weightsPath: String
    /// The tokenizer identity in the safetensors metadata (nil: not recorded).
    public let tokenizerIdentity: String?
    /// The config hash of the run that wrote it (metadata or run state; nil: not recorded).
    public let configHash: String?
    /// The run state, when the folder holds `run_state.json`.
    public let runState: RunState?
    /// Steps trained: the run state's, else the metadata's `step` (nil: not recorded).
    public let step: Int?

    /// Opens `folder`; a missing folder or file, an unreadable config or safetensors
    /// header, or an invalid run state is refused in one line.
    public init(folder: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EvaluationError.missingCheckpoint(folder: folder)
        }
        let url = URL(fileURLWithPath: folder)
        for file in [Checkpoint.configFileName, Checkpoint.modelFileName]
        where !FileManager.default.fileExists(atPath: url.appendingPathComponent(file).path) {
            throw EvaluationError.missingFile(folder: folder, file: file)
        }
        self.folder = folder
        config = try Checkpoint.loadConfig(from: url)
        weightsPath = url.appendingPathComponent(Checkpoint.modelFileName).path
        let metadata = try SafetensorsFile(path: weightsPath).metadata
        tokenizerIdentity = metadata[ModelSource.tokenizerIdentityKey].flatMap { $0.isEmpty ? nil : $0 }
        let hasRunState = FileManager.default.fileExists(atPath: url.appendingPathComponent(RunState.fileName).path)
        runState = hasRunState ? try RunState.load(from: url) : nil
        configHash = runState?.configHash ?? metadata["config_hash"]
        if let runState {
            step = runState.step
        } else if let text = metadata["step"] {
            guard let value = Int(text) else { throw EvaluationError.badStep(file: weightsPath, value: text) }
            step = value
        } else {
            step = nil
        }
    }

    /// The run folder the checkpoint sits in when it is `RUN/checkpoints/step-N`: two
    /// levels up (whether it holds a run is for the caller to check).
    /// Relative to the working directory when it lies inside it.
    public var runFolder: String {
        let path = URL(fileURLWithPath: folder).standardized.deletingLastPathComponent().deletingLastPathComponent().path
        let here = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(here) ? String(path.dropFirst(here.count)) : path
    }

    /// `RUN/config.toml` two levels up, when that file exists.
    public var runConfigPath: String? {
        let path = (runFolder as NSString).appendingPathComponent("config.toml")
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// `RUN/metrics.jsonl` two levels up, when that file exists.
    public var runMetricsPath: String? {
        let path = (runFolder as NSString).appendingPathComponent("metrics.jsonl")
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The weights in an inference model for batches up to `maxBatchSize`×`maxSequenceLength`
    /// (every tensor checked by name, dtype and shape).
    public func load(maxBatchSize: Int, maxSequenceLength: Int) throws -> LlamaInference {
        let model = try LlamaInference(config: config, maxBatchSize: maxBatchSize, maxSequenceLength: maxSequenceLength)
        try Checkpoint.loadWeights(path: weightsPath, into: model.parameters, layout: model.layout)
        return model
    }
}
