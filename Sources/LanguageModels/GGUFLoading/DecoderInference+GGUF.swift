import Engine
import GGUF

/// A decoder that GGUF files of its architecture build: config read from the metadata,
/// weights dequantized into its layout.
public protocol GGUFDecoderInference: DecoderInference {
    init(config: Config, maxBatchSize: Int, maxSequenceLength: Int, lmHeadChunkRows: Int) throws
    /// The configuration of `file`; throws if the file is not of this architecture.
    static func config(gguf file: GGUFFile) throws -> Config
    /// Dequantizes every parameter from `file`; throws naming the first mismatching tensor.
    func loadWeights(gguf file: GGUFFile) throws
}

extension GGUFDecoderInference {
    /// A frozen model built from a GGUF file of its architecture (config from its metadata, every
    /// weight dequantized to Float32), for batches up to `maxBatchSize`×`maxSequenceLength`
    /// (`maxSequenceLength` defaults to the file's context length).
    public init(gguf file: GGUFFile, maxBatchSize: Int, maxSequenceLength: Int? = nil,
                lmHeadChunkRows: Int = 128) throws {
        let config = try Self.config(gguf: file)
        try self.init(config: config, maxBatchSize: maxBatchSize,
                      maxSequenceLength: maxSequenceLength ?? config.maxPositionEmbeddings,
                      lmHeadChunkRows: lmHeadChunkRows)
        try loadWeights(gguf: file)
    }
}
