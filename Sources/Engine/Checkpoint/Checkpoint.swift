import Foundation

/// Where training stands, saved beside the optimizer state.
public struct TrainingState: Codable, Equatable, Sendable {
    /// Optimizer steps completed.
    public var step: Int
    /// Training tokens consumed.
    public var tokensSeen: Int
    /// Anything else the trainer wants back (sampler position, data seed, …).
    public var extra: [String: String]
    public init(step: Int, tokensSeen: Int, extra: [String: String] = [:]) {
        self.step = step; self.tokensSeen = tokensSeen; self.extra = extra
    }
}

/// A checkpoint directory holding
///   model.safetensors      weights with Hugging Face Llama names, q/k rows in HF rotate_half order
///   config.json            Hugging Face config (LlamaForCausalLM)
///   optimizer.safetensors  AdamW moments (engine layout, flat) + training state in `__metadata__`
/// Every file is written atomically; loading verifies names, dtypes and shapes.
public enum Checkpoint {
    public static let modelFileName = "model.safetensors"
    public static let configFileName = "config.json"
    public static let optimizerFileName = "optimizer.safetensors"

    // MARK: model

    /// Writes `model.safetensors` and `config.json` into `directory` (created if needed).
    public static func saveModel(parameters: FloatBuffer, layout: ParameterLayout, to directory: URL,
                                 metadata: [String: String] = [:]) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let C = layout.config
        // Only q/k need a permuted copy; everything else is written from the flat buffer directly.
        var permuted: [FloatBuffer] = []
        var list: [SafetensorsTensor] = []
        for t in layout.tensors {
            if RotaryPermutation.applies(to: t.name) {
                let copy = FloatBuffer(count: t.count)
                RotaryPermutation.engineToHuggingFace(parameters.pointer + t.offset, copy.pointer,
                                                      rows: t.shape[0], columns: t.shape[1], headSize: C.headSize)
                permuted.append(copy)
                list.append(SafetensorsTensor(name: t.name, shape: t.shape, data: UnsafeBufferPointer(copy.buffer)))
            } else {
                list.append(SafetensorsTensor(name: t.name, shape: t.shape,
                                              data: UnsafeBufferPointer(parameters.slice(offset: t.offset, count: t.count))))
            }
        }
        var meta = metadata
        meta["format"] = "pt"
        try withExtendedLifetime(permuted) {
            try SafetensorsWriter.write(list, metadata: meta, to: directory.appendingPathComponent(modelFileName).path)
        }
        try writeConfig(C, to: directory.appendingPathComponent(configFileName))
    }

    /// Loads `model.safetensors` from `directory` into `parameters` (layout order),
    /// converting q/k rows from HF layout. Every parameter must be present as F32
    /// with its shape, and no unknown tensor may be present (a tied model
    /// tolerates `lm_head.weight`). Throws naming the file and the first bad tensor.
    public static func loadModel(from directory: URL, into parameters: FloatBuffer, layout: ParameterLayout) throws {
        let path = directory.appendingPathComponent(modelFileName).path
        try loadWeights(path: path, into: parameters, layout: layout)
    }

    /// As `loadModel`, from an explicit safetensors path.
    public static func loadWeights(path: String, into parameters: FloatBuffer, layout: ParameterLayout) throws {
        try loadWeights(file: try SafetensorsFile(path: path), into: parameters, layout: layout)
    }

    /// As `loadModel`, from an opened safetensors file.
    public static func loadWeights(file: SafetensorsFile, into parameters: FloatBuffer, layout: ParameterLayout) throws {
        let path = file.path
        for t in layout.tensors {
            let destination = parameters.slice(offset: t.offset, count: t.count)
            if RotaryPermutation.applies(to: t.name) {
                var hf = [Float](repeating: 0, count: t.count)
                try hf.withUnsafeMutableBufferPointer { try file.copyFloats(t.name, expectedShape: t.shape, into: $0) }
                hf.withUnsafeBufferPointer {
                    RotaryPermutation.huggingFaceToEngine($0.baseAddress!, destination.baseAddress!, rows: t.shape[0],
                                                          columns: t.shape[1], headSize: layout.config.headSize)
                }
            } else {
                try file.copyFloats(t.name, expectedShape: t.shape, into: destination)
            }
        }
        for name in file.names where layout.tensor(named: name) == nil {
            if name == "lm_head.weight" && layout.config.tieWordEmbeddings { continue }
            throw SafetensorsError.unexpectedTensor(file: path, tensor: name)
        }
    }

    // MARK: config

    /// Writes a Hugging Face `config.json` (LlamaForCausalLM) atomically.
    public static func writeConfig(_ config: LlamaConfig, to url: URL) throws {
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as! [String: Any]
        object["architectures"] = ["LlamaForCausalLM"]
        object["model_type"] = "llama"
        object["hidden_act"] = "silu"
        object["head_dim"] = config.headSize
        object["attention_bias"] = false
        object["mlp_bias"] = false
        object["torch_dtype"] = "float32"
        object["initializer_range"] = 0.02
        object["pretraining_tp"] = 1
        object["use_cache"] = true
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        try AtomicFileWriter.write(data, to: url.path)
    }

    /// Reads `config.json` from a checkpoint directory (validated).
    public static func loadConfig(from directory: URL) throws -> LlamaConfig {
        let url = directory.appendingPathComponent(configFileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            let problem = FileManager.default.fileExists(atPath: directory.path)
                ? "cannot be read or does not exist (not a checkpoint folder?)" : "its folder does not exist"
            throw CheckpointError(file: url.path, problem: problem)
        }
        return try decodeConfig(data, path: url.path)
    }

    /// Decodes and validates the bytes of a `config.json` (`path` names it in errors).
    public static func decodeConfig(_ data: Data, path: String) throws -> LlamaConfig {
        do {
            return try JSONDecoder().decode(LlamaConfig.self, from: data)
        } catch let e as LlamaConfigError {
            throw CheckpointError(file: path, problem: e.description)
        } catch {
            throw CheckpointError(file: path, problem: "cannot read the config: \(error)")
        }
    }

    // MARK: optimizer and training state

    /// Writes `optimizer.safetensors`: both AdamW moments and, in `__metadata__`,
    /// the optimizer step, settings, the config and the training state.
    public static func saveTrainingState(_ state: TrainingState, optimizer: AdamW, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // the same state gives the same bytes
        let metadata: [String: String] = [
            "adamw_step": String(optimizer.stepCount),
            "adamw_settings": String(decoding: try encoder.encode(optimizer.settings), as: UTF8.self),
            "training_state": String(decoding: try encoder.encode(state), as: UTF8.self),
            "config": String(decoding: try encoder.encode(optimizer.layout.config), as: UTF8.self),
        ]
        let n = optimizer.layout.count
        try SafetensorsWriter.write([
            SafetensorsTensor(name: "adamw.first_moment", shape: [n], data: UnsafeBufferPointer(optimizer.firstMoment.buffer)),
            SafetensorsTensor(name: "adamw.second_moment", shape: [n], data: UnsafeBufferPointer(optimizer.secondMoment.buffer)),
        ], metadata: metadata, to: directory.appendingPathComponent(optimizerFileName).path)
    }

    /// Restores the AdamW moments, step and settings and returns the training state.
    public static func loadTrainingState(into optimizer: AdamW, from directory: URL) throws -> TrainingState {
        let path = directory.appendingPathComponent(optimizerFileName).path
        return try loadTrainingState(into: optimizer, from: try SafetensorsFile(path: path))
    }

    /// As `loadTrainingState(into:from:)`, from an opened `optimizer.safetensors`.
    public static func loadTrainingState(into optimizer: AdamW, from file: SafetensorsFile) throws -> TrainingState {
        let path = file.path
        func meta(_ key: String) throws -> String {
            guard let v = file.metadata[key] else { throw CheckpointError(file: path, problem: "__metadata__ has no '\(key)'") }
            return v
        }
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            let text = try meta(key)
            do { return try JSONDecoder().decode(type, from: Data(text.utf8)) } catch {
                throw CheckpointError(file: path, problem: "__metadata__ '\(key)': \(error)")
            }
        }
        let config = try decode(LlamaConfig.self, "config")
        guard config == optimizer.layout.config else {
            throw CheckpointError(file: path, problem: "optimizer state was saved for a different model config")
        }
        let n = optimizer.layout.count
        try file.copyFloats("adamw.first_moment", expectedShape: [n], into: optimizer.firstMoment.buffer)
        try file.copyFloats("adamw.second_moment", expectedShape: [n], into: optimizer.secondMoment.buffer)
        guard let step = Int(try meta("adamw_step")) else { throw CheckpointError(file: path, problem: "adamw_step is not an integer") }
        optimizer.stepCount = step
        optimizer.settings = try decode(AdamW.Settings.self, "adamw_settings")
        return try decode(TrainingState.self, "training_state")
    }
}

/// A checkpoint file whose content does not fit the model.
public struct CheckpointError: Error, CustomStringConvertible {
    public var file: String
    public var problem: String
    public var description: String { "\(file): \(problem)" }
}
