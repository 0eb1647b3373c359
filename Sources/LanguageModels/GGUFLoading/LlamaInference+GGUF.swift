import Engine
import GGUF

extension LlamaInference {
    /// A frozen model built from a llama GGUF file (config from its metadata, every weight
    /// dequantized to Float32), for batches up to `maxBatchSize`×`maxSequenceLength`
    /// (`maxSequenceLength` defaults to the file's context length).
    public convenience init(gguf file: GGUFFile, maxBatchSize: Int, maxSequenceLength: Int? = nil) throws {
        let config = try LlamaConfig(gguf: file)
        try self.init(config: config, maxBatchSize: maxBatchSize,
                      maxSequenceLength: maxSequenceLength ?? config.maxPositionEmbeddings)
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
