import Engine
import Foundation

/// A frozen teacher model file: its shape, the tokenizer it was trained with, and a way
/// to load its weights. Every rank opens the source (cheap: the shape only); only the
/// ranks that run the teacher call `load`.
///
/// The runtime reads SwiftDDK checkpoints itself (`checkpoint(directory:)`); the
/// command-line tool adds GGUF files through its own `TeacherModelSource` values, so the
/// runtime does not depend on the file formats.
public struct TeacherModelSource {
    /// The file or folder the teacher comes from.
    public let path: String
    /// The teacher's architecture (the student takes its vocabulary and RoPE from it).
    public let config: LlamaConfig
    /// Identity of the tokenizer whose ids the teacher reads; shards must carry the same.
    public let tokenizerIdentity: String
    /// The files whose bytes identify the teacher's weights (hashed for the perplexity cache).
    public let weightFiles: [String]
    /// Loads the weights into an inference model for batches up to the given shape.
    public let load: (_ maxBatchSize: Int, _ maxSequenceLength: Int) throws -> LlamaInference

    public init(path: String, config: LlamaConfig, tokenizerIdentity: String, weightFiles: [String],
                load: @escaping (_ maxBatchSize: Int, _ maxSequenceLength: Int) throws -> LlamaInference) {
        self.path = path
        self.config = config
        self.tokenizerIdentity = tokenizerIdentity
        self.weightFiles = weightFiles
        self.load = load
    }

    /// The metadata key of `model.safetensors` that names the tokenizer of a checkpoint.
    public static let tokenizerIdentityKey = "tokenizer_identity"

    /// A SwiftDDK checkpoint folder (`config.json` + `model.safetensors`) whose safetensors
    /// metadata names its tokenizer (`tokenizer_identity`, written by `ddk init-model` and
    /// `ddk init-student`).
    public static func checkpoint(directory: String) throws -> TeacherModelSource {
        let folder = URL(fileURLWithPath: directory)
        let config = try Checkpoint.loadConfig(from: folder)
        let weights = folder.appendingPathComponent(Checkpoint.modelFileName).path
        let file = try SafetensorsFile(path: weights)
        guard let identity = file.metadata[tokenizerIdentityKey], !identity.isEmpty else {
            throw TeacherModelError(path: weights, problem: "has no \(tokenizerIdentityKey) in its metadata; "
                + "write the checkpoint with `ddk init-model --tokenizer-model ...` or `ddk init-student`")
        }
        return TeacherModelSource(path: directory, config: config, tokenizerIdentity: identity, weightFiles: [weights]) {
            maxBatchSize, maxSequenceLength in
            let model = try LlamaInference(config: config, maxBatchSize: maxBatchSize, maxSequenceLength: maxSequenceLength)
            try Checkpoint.loadWeights(path: weights, into: model.parameters, layout: model.layout)
            return model
        }
    }
}

/// A teacher model that cannot be used, in one line naming the file.
public struct TeacherModelError: Error, CustomStringConvertible {
    public var path: String
    public var problem: String
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
    public var description: String { "teacher \(path): \(problem)" }
}
