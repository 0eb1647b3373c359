import Engine
import GGUF

extension Gemma3Inference: GGUFDecoderInference {
    /// The configuration of a gemma3 GGUF file.
    public static func config(gguf file: GGUFFile) throws -> Gemma3Config { try Gemma3Config(gguf: file) }

    /// Dequantizes every weight of a gemma3 GGUF file into this model's parameters.
    public func loadWeights(gguf file: GGUFFile) throws {
        try GGUFWeightLoader.load(from: file, into: parameters, layout: layout)
    }
}
