import Engine
import GGUF

/// The architecture of a model file, read from it and never assumed.
public enum ModelArchitecture: Equatable, Sendable {
    /// Llama family (SmolLM2): `general.architecture` "llama", or a checkpoint folder.
    case llama(LlamaConfig)
    /// Gemma 3 text decoder: `general.architecture` "gemma3".
    case gemma3(Gemma3Config)

    /// The `general.architecture` values that can be loaded.
    public static let supportedGGUFArchitectures = ["llama", "gemma3"]

    /// The architecture named by `general.architecture`, with its config from the metadata;
    /// any other architecture is refused in one line naming it.
    public init(gguf file: GGUFFile) throws {
        switch file.architecture {
        case "llama": self = .llama(try LlamaConfig(gguf: file))
        case "gemma3": self = .gemma3(try Gemma3Config(gguf: file))
        default:
            throw GGUFModelError(path: file.path, subject: "general.architecture",
                                 problem: "is '\(file.architecture ?? "(none)")'; supported architectures: "
                                     + Self.supportedGGUFArchitectures.joined(separator: ", "))
        }
    }

    /// The name GGUF files use for it.
    public var name: String {
        switch self {
        case .llama: return "llama"
        case .gemma3: return "gemma3"
        }
    }

    public var vocabularySize: Int {
        switch self {
        case .llama(let config): return config.vocabularySize
        case .gemma3(let config): return config.vocabularySize
        }
    }

    /// Longest sequence the model reads (`max_position_embeddings`).
    public var contextLength: Int {
        switch self {
        case .llama(let config): return config.maxPositionEmbeddings
        case .gemma3(let config): return config.maxPositionEmbeddings
        }
    }

    /// The config's sizes (for FLOP counts), whichever the architecture.
    public var shape: any DecoderShape {
        switch self {
        case .llama(let config): return config
        case .gemma3(let config): return config
        }
    }

    /// Whether the LM head is the embedding table (Gemma 3 always; Llama per its config).
    public var tiesEmbeddings: Bool {
        switch self {
        case .llama(let config): return config.tieWordEmbeddings
        case .gemma3: return true
        }
    }

    public var hiddenSize: Int {
        switch self {
        case .llama(let config): return config.hiddenSize
        case .gemma3(let config): return config.hiddenSize
        }
    }
}
