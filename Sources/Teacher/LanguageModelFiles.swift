import Engine
import Foundation
import GGUF
import Tokenizer

/// Opens a model for inference from either a GGUF file (the teacher) or a SwiftDDK
/// checkpoint directory (`config.json` + `model.safetensors`, e.g. a trained student).
public struct LanguageModelFiles {
    /// The path given: a `.gguf` file or a checkpoint directory.
    public let path: String
    /// The architecture.
    public let config: LlamaConfig
    /// The GGUF file when `path` is one.
    public let gguf: GGUFFile?

    /// Reads the configuration at `path` (weights are loaded by `makeInference`).
    public init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw GGUFError.cannotOpen(path: path, reason: "no such file or directory")
        }
        if isDirectory.boolValue {
            gguf = nil
            config = try Checkpoint.loadConfig(from: URL(fileURLWithPath: path))
        } else {
            let file = try GGUFFile(path: path)
            gguf = file
            config = try LlamaConfig(gguf: file)
        }
    }

    /// A frozen model with the weights at `path`, for batches up to `maxBatchSize`×`maxSequenceLength`.
    public func makeInference(maxBatchSize: Int, maxSequenceLength: Int) throws -> LlamaInference {
        if let gguf {
            return try LlamaInference(gguf: gguf, maxBatchSize: maxBatchSize, maxSequenceLength: maxSequenceLength)
        }
        let inference = try LlamaInference(config: config, maxBatchSize: maxBatchSize, maxSequenceLength: maxSequenceLength)
        try Checkpoint.loadModel(from: URL(fileURLWithPath: path), into: inference.parameters, layout: inference.layout)
        return inference
    }

    /// The tokenizer: the GGUF file's own, or for a checkpoint the one in `tokenizerGGUF`
    /// (checkpoints carry no vocabulary). Throws when the vocabulary size differs from the model's.
    public func makeTokenizer(tokenizerGGUF: String) throws -> Tokenizer {
        let tokenizer = try gguf.map { try Tokenizer(gguf: $0) } ?? Tokenizer(ggufAt: tokenizerGGUF)
        guard tokenizer.vocabularySize == config.vocabularySize else {
            throw GGUFModelError(path: path, subject: nil,
                                 problem: "the model has \(config.vocabularySize) tokens but the tokenizer \(gguf == nil ? tokenizerGGUF : path) has \(tokenizer.vocabularySize)")
        }
        return tokenizer
    }
}
