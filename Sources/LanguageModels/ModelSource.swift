import Engine
import Foundation
import GGUF
import Tokenizer

/// A model on disk, opened for inference: a GGUF file (the teacher as published) or a
/// SwiftDDK checkpoint folder (`config.json` + `model.safetensors`: a tiny test teacher, a
/// trained student). Opening reads the shape and the tokenizer's identity only; `load`
/// reads the weights, so every rank of a job can open the teacher and only the ranks that
/// run it pay for the weights.
public struct ModelSource {
    /// Where the weights are and in which format.
    public enum Format {
        /// A GGUF file (llama or gemma3): config from its metadata, weights dequantized to Float32.
        case gguf(GGUFFile)
        /// A checkpoint folder's `model.safetensors`.
        case checkpoint(weights: String)
    }

    /// What the model is to the command that opened it: the first word of its errors.
    public enum Role: String {
        case model, teacher
    }

    /// The path given: a `.gguf` file or a checkpoint folder.
    public let path: String
    public let role: Role
    public let format: Format
    /// The architecture and its config, read from the file (a checkpoint folder is llama).
    public let architecture: ModelArchitecture
    /// The tokenizer stored with the weights: a GGUF file's own (`GGUFTokenizer.load`: byte-level
    /// BPE or SentencePiece); nil for a checkpoint (checkpoints carry no vocabulary) and for a
    /// GGUF file without one.
    public let ownTokenizer: (any TextTokenizer)?
    /// Identity of the tokenizer whose ids the model reads: its GGUF tokenizer's, or the one a
    /// checkpoint records in its safetensors metadata (`tokenizer_identity`); nil when unknown.
    public let tokenizerIdentity: String?
    /// How the model's vocabulary rows line up with its tokenizer's tokens, for a job to
    /// report: `.trimmed(from:to:)` when a GGUF file's padded rows were dropped (exact; see
    /// `VocabularyAlignment`). Nil when the model holds no tokenizer to align with: a
    /// checkpoint (whose tokenizer, given to `tokenizer(checkpointTokenizer:)`, must have
    /// exactly its vocabulary) or a GGUF file without `tokenizer.ggml.tokens`.
    public let vocabularyAlignment: VocabularyAlignment?

    /// The metadata key of `model.safetensors` that names the tokenizer of a checkpoint.
    public static let tokenizerIdentityKey = "tokenizer_identity"

    /// Opens the GGUF file or checkpoint folder at `path` (weights are read by `load`).
    public init(path: String, role: Role = .model) throws {
        self.path = path
        self.role = role
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelSourceError(role: role, path: path,
                                   problem: "does not exist (fetch it with launch/fetch-teacher, or make a tiny one with `ddk init-model`)")
        }
        if isDirectory.boolValue {
            let folder = URL(fileURLWithPath: path)
            let weights = folder.appendingPathComponent(Checkpoint.modelFileName).path
            architecture = .llama(try Checkpoint.loadConfig(from: folder))
            format = .checkpoint(weights: weights)
            ownTokenizer = nil
            let recorded = try SafetensorsFile(path: weights).metadata[Self.tokenizerIdentityKey]
            tokenizerIdentity = recorded.flatMap { $0.isEmpty ? nil : $0 }
            vocabularyAlignment = nil
        } else {
            let file = try GGUFFile(path: path)
            architecture = try ModelArchitecture(gguf: file)
            format = .gguf(file)
            ownTokenizer = file.metadata["tokenizer.ggml.model"] == nil ? nil : try GGUFTokenizer.load(from: file)
            tokenizerIdentity = ownTokenizer?.identity
            vocabularyAlignment = try file.vocabularyAlignment()
        }
    }

    /// The files whose bytes identify the weights (hashed for the teacher perplexity cache).
    public var weightFiles: [String] {
        switch format {
        case .gguf: return [path]
        case .checkpoint(let weights): return [weights]
        }
    }

    /// The Llama config (a student takes its vocabulary and RoPE from a teacher's); throws
    /// for another architecture, naming it.
    public var config: LlamaConfig {
        get throws {
            guard case .llama(let config) = architecture else { throw needsLlama() }
            return config
        }
    }

    private func needsLlama() -> ModelSourceError {
        ModelSourceError(role: role, path: path, problem: "is a \(architecture.name) model; this needs a llama model")
    }

    /// A frozen model of either architecture, for batches up to `maxBatchSize`×`maxSequenceLength`.
    public func loadInference(_ maxBatchSize: Int, _ maxSequenceLength: Int) throws -> any LanguageModelInference {
        guard case .gguf(let file) = format, case .gemma3 = architecture else {
            return try load(maxBatchSize, maxSequenceLength)
        }
        return try Gemma3Inference(gguf: file, maxBatchSize: maxBatchSize, maxSequenceLength: maxSequenceLength)
    }

    /// A frozen Llama-family model with these weights, for batches up to
    /// `maxBatchSize`×`maxSequenceLength`; throws for another architecture.
    public func load(_ maxBatchSize: Int, _ maxSequenceLength: Int) throws -> LlamaInference {
        let config = try self.config
        switch format {
        case .gguf(let file):
            return try LlamaInference(gguf: file, maxBatchSize: maxBatchSize, maxSequenceLength: maxSequenceLength)
        case .checkpoint(let weights):
            let model = try LlamaInference(config: config, maxBatchSize: maxBatchSize, maxSequenceLength: maxSequenceLength)
            try Checkpoint.loadWeights(path: weights, into: model.parameters, layout: model.layout)
            return model
        }
    }

    /// The tokenizer identity a job's shards must carry; throws when the model does not
    /// know it (a checkpoint written without one, a GGUF file without a tokenizer).
    public func requiredTokenizerIdentity() throws -> String {
        if let tokenizerIdentity { return tokenizerIdentity }
        switch format {
        case .gguf(let file):
            return try GGUFTokenizer.load(from: file).identity  // throws naming the missing metadata
        case .checkpoint(let weights):
            throw ModelSourceError(role: role, path: weights, problem: "has no \(Self.tokenizerIdentityKey) in its metadata; "
                + "write the checkpoint with `ddk init-model --tokenizer-model ...` or `ddk init-student`")
        }
    }

    /// The tokenizer: the GGUF file's own, or for a checkpoint the one in the GGUF file
    /// `checkpointTokenizer`. Throws when its vocabulary size differs from the model's: a
    /// GGUF file's padded rows are already trimmed to its tokens, and a checkpoint is
    /// written by SwiftDDK at its tokenizer's size, so any difference is the wrong tokenizer.
    public func tokenizer(checkpointTokenizer: String) throws -> any TextTokenizer {
        switch format {
        case .gguf(let file):
            let tokenizer = try ownTokenizer ?? GGUFTokenizer.load(from: file)
            guard tokenizer.vocabularySize == architecture.vocabularySize else {
                throw GGUFModelError(path: path, subject: nil,
                                     problem: "the model has \(architecture.vocabularySize) tokens but the tokenizer \(path) has \(tokenizer.vocabularySize)")
            }
            return tokenizer
        case .checkpoint:
            let tokenizer = try GGUFTokenizer.load(ggufAt: checkpointTokenizer)
            guard tokenizer.vocabularySize == architecture.vocabularySize else {
                throw checkpointVocabularyMismatch(tokenizer: checkpointTokenizer, tokens: tokenizer.vocabularySize)
            }
            return tokenizer
        }
    }

    /// A checkpoint whose vocabulary differs from the tokenizer given for it, in one line with
    /// both counts and the fix. Checkpoints are not trimmed like GGUF files: SwiftDDK writes
    /// them at their tokenizer's size, so a difference means the wrong tokenizer (or a
    /// checkpoint written for another one).
    private func checkpointVocabularyMismatch(tokenizer: String, tokens: Int) -> ModelSourceError {
        ModelSourceError(role: role, path: path, problem: "has \(architecture.vocabularySize) vocabulary rows (vocab_size in "
            + "\(Checkpoint.configFileName)) but the tokenizer \(tokenizer) has \(tokens) tokens; give the tokenizer the "
            + "checkpoint was written with, or write the checkpoint again for this one (`ddk init-model --tokenizer-model "
            + "\(tokenizer)`, `ddk init-student`)")
    }
}
