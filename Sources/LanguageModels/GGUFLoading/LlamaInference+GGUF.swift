import Engine
import GGUF

extension LlamaInference: GGUFDecoderInference {
    /// The configuration of a llama GGUF file.
    public static func config(gguf file: GGUFFile) throws -> LlamaConfig { try LlamaConfig(gguf: file) }

    /// Dequantizes every weight of a llama GGUF file into this model's parameters.
    public func loadWeights(gguf file: GGUFFile) throws {
        try GGUFWeightLoader.load(from: file, into: parameters, layout: layout)
    }
}

extension LlamaModel {
    /// Copies the weights of a llama GGUF file into this model's parameters (the file's
    /// config must equal `config`; throws naming the first mismatching tensor).
    public func loadWeights(gguf file: GGUFFile) throws {
        try GGUFWeightLoader.load(from: file, into: parameters, layout: layout)
    }
}
