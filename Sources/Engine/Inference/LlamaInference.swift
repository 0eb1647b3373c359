/// A frozen Llama-family model for forward passes only (the teacher): keeps the
/// activations of ONE block at a time (reused layer after layer) and one (T,T)
/// attention matrix, so memory does not grow with depth.
public final class LlamaInference {
    /// The architecture.
    public let config: LlamaConfig
    /// Names, shapes and offsets of the parameters.
    public let layout: ParameterLayout
    /// All parameters, flat; fill them by name with `parameter(named:)`.
    public let parameters: FloatBuffer
    /// Largest batch shape accepted.
    public let maxBatchSize: Int, maxSequenceLength: Int
    /// Rows per logits chunk.
    public let lmHeadChunkRows: Int

    let rope: RotaryTable
    let activations: FloatBuffer
    let projectionScratch: FloatBuffer
    let logitsScratch: FloatBuffer
    private var lastShape = (batch: 0, sequence: 0)

    /// Allocates a zero-weight model for batches up to `maxBatchSize`×`maxSequenceLength`.
    public init(config: LlamaConfig, maxBatchSize: Int, maxSequenceLength: Int, lmHeadChunkRows: Int = 128) throws {
        try config.validate(batch: maxBatchSize, sequence: maxSequenceLength)
        self.config = config
        layout = ParameterLayout(config: config)
        parameters = FloatBuffer(count: layout.count)
        self.maxBatchSize = maxBatchSize
        self.maxSequenceLength = maxSequenceLength
        self.lmHeadChunkRows = max(1, lmHeadChunkRows)
        rope = RotaryTable(headSize: config.headSize, maxPositions: maxSequenceLength, theta: config.ropeTheta)
        activations = FloatBuffer(count: ActivationLayout(config: config, batch: maxBatchSize, sequence: maxSequenceLength,
                                                          layerSlots: 1, keepProbabilities: false).count)
        projectionScratch = FloatBuffer(count: maxBatchSize * maxSequenceLength * config.hiddenSize)
        logitsScratch = FloatBuffer(count: min(self.lmHeadChunkRows, maxBatchSize * maxSequenceLength) * config.vocabularySize)
    }

    /// A frozen copy of a training model's current weights.
    public convenience init(copying model: LlamaModel, maxBatchSize: Int? = nil, maxSequenceLength: Int? = nil) throws {
        try self.init(config: model.config, maxBatchSize: maxBatchSize ?? model.maxBatchSize,
                      maxSequenceLength: maxSequenceLength ?? model.maxSequenceLength)
        parameters.pointer.update(from: model.parameters.pointer, count: layout.count)
    }

    /// Runs the model on `tokens` (B·T ids, row-major (B,T)) and returns the final
    /// RMS-normed hidden states (B,T,C), valid until the next call.
    @discardableResult
    public func forward(tokens: UnsafeBufferPointer<Int32>, batchSize B: Int, sequenceLength T: Int) throws
        -> UnsafeBufferPointer<Float> {
        try checkInput(tokens, batchSize: B, sequenceLength: T)
        let N = B * T, C = config.hiddenSize
        let a = ActivationLayout(config: config, batch: B, sequence: T, layerSlots: 1, keepProbabilities: false)
        let acts = activations.pointer, w = parameters.pointer
        let slot = a.layers[0]
        Embedding.forward(out: acts + slot.output, tokens: tokens.baseAddress!, weight: w + layout.embedding,
                          count: N, width: C)                                                  // (B,T,C)
        for l in 0..<config.layerCount {
            TransformerBlock.forward(config: config, rope: rope, batch: B, sequence: T, parameters: w,
                                     offsets: layout.layers[l], activations: acts, slots: slot,
                                     input: acts + slot.output, projection: projectionScratch.pointer,
                                     keepProbabilities: false)
        }
        RMSNorm.forward(out: acts + a.hidden, rstd: acts + a.hiddenRstd, inp: acts + slot.output,
                        weight: w + layout.finalNorm, rows: N, width: C, epsilon: config.rmsNormEpsilon)
        lastShape = (B, T)
        return UnsafeBufferPointer(start: acts + a.hidden, count: N * C)
    }

    /// Convenience overload taking an array.
    @discardableResult
    public func forward(tokens: [Int32], batchSize B: Int, sequenceLength T: Int) throws -> UnsafeBufferPointer<Float> {
        try tokens.withUnsafeBufferPointer { try forward(tokens: $0, batchSize: B, sequenceLength: T) }
    }

    /// Calls `body(rowStart, rowCount, logits (rowCount, V))` for every chunk of
    /// rows of the last forward pass; the logits buffer is reused (the body may
    /// overwrite it).
    public func logits(_ body: (Int, Int, UnsafeMutablePointer<Float>) throws -> Void) throws {
        guard lastShape.batch > 0 else { throw EngineError.noForwardPass(operation: "logits") }
        let a = ActivationLayout(config: config, batch: lastShape.batch, sequence: lastShape.sequence,
                                 layerSlots: 1, keepProbabilities: false)
        try LMHead.logits(hidden: activations.pointer + a.hidden, weight: parameters.pointer + layout.lmHead,
                          rows: lastShape.batch * lastShape.sequence, width: config.hiddenSize,
                          vocabularySize: config.vocabularySize, chunkRows: lmHeadChunkRows,
                          logitsScratch: logitsScratch.pointer, body: body)
    }
}
