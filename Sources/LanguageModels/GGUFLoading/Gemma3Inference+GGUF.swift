import Engine
import GGUF

extension Gemma3Inference {
    /// A frozen model built from a gemma3 GGUF file (config from its metadata, every weight
    /// dequantized to Float32), for batches up to `maxBatchSize`×`maxSequenceLength`
    /// (`maxSequenceLength` defaults to the file's context length).
    public convenience init(gguf file: GGUFFile, maxBatchSize: Int, maxSequenceLength: Int? = nil) throws {
        let config = try Gemma3Config(gguf: file)
        try self.init(config: config, maxBatchSize: maxBatchSize,
                      maxSequenceLength: maxSequenceLength ?? config.maxPositionEmbeddings)
        try GGUFWeightLoader.load(from: file, into: parameters, layout: layout)
    }
}
