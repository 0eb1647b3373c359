/// A frozen Gemma 3 model for forward passes only (the teacher): the residual stream of
/// (B,T,C), one block's scratch reused layer after layer, and one (T,T) score matrix.
public final class Gemma3Inference {
    /// The architecture.
    public let config: Gemma3Config
    /// Names, shapes and offsets of the parameters.
    public let layout: Gemma3ParameterLayout
    /// All parameters, flat; fill them by name with `parameter(named:)`.
    public let parameters: FloatBuffer
    /// Largest batch shape accepted.
    public let maxBatchSize: Int, maxSequenceLength: Int
    /// Rows per logits chunk.
    public let lmHeadChunkRows: Int

    let localRope: RotaryTable, globalRope: RotaryTable
    let residual: FloatBuffer      // (B,T,C)
    let hidden: FloatBuffer        // (B,T,C) final normed hidden states
    let hiddenRstd: FloatBuffer    // (B,T)
    let scratch: FloatBuffer
    let logitsScratch: FloatBuffer
    private var lastShape = (batch: 0, sequence: 0)

    /// Allocates a zero-weight model for batches up to `maxBatchSize`×`maxSequenceLength`.
    /// The logits scratch is `lmHeadChunkRows`·V Floats (128 rows of 262,144 tokens: 134 MB);
    /// fewer rows make the head's sgemm, most of the model's FLOPs, markedly slower.
    public init(config: Gemma3Config, maxBatchSize: Int, maxSequenceLength: Int, lmHeadChunkRows: Int = 128) throws {
        try config.validate(batch: maxBatchSize, sequence: maxSequenceLength)
        self.config = config
        layout = Gemma3ParameterLayout(config: config)
        parameters = FloatBuffer(count: layout.count)
        self.maxBatchSize = maxBatchSize
        self.maxSequenceLength = maxSequenceLength
        self.lmHeadChunkRows = max(1, lmHeadChunkRows)
        localRope = RotaryTable(headSize: config.headSize, maxPositions: maxSequenceLength, theta: config.localRopeTheta)
        globalRope = RotaryTable(headSize: config.headSize, maxPositions: maxSequenceLength, theta: config.ropeTheta)
        let N = maxBatchSize * maxSequenceLength
        residual = FloatBuffer(count: N * config.hiddenSize)
        hidden = FloatBuffer(count: N * config.hiddenSize)
        hiddenRstd = FloatBuffer(count: N)
        scratch = FloatBuffer(count: Gemma3BlockScratch.count(config, rows: N, sequence: maxSequenceLength))
        logitsScratch = FloatBuffer(count: min(self.lmHeadChunkRows, N) * config.vocabularySize)
    }

    /// Runs the model on `tokens` (B·T ids, row-major (B,T)) and returns the final
    /// RMS-normed hidden states (B,T,C), valid until the next call.
    @discardableResult
    public func forward(tokens: UnsafeBufferPointer<Int32>, batchSize B: Int, sequenceLength T: Int) throws
        -> UnsafeBufferPointer<Float> {
        try checkInput(tokens, batchSize: B, sequenceLength: T)
        let N = B * T, C = config.hiddenSize, w = parameters.pointer, x = residual.pointer
        Embedding.forward(out: x, tokens: tokens.baseAddress!, weight: w + layout.embedding, count: N, width: C)
        VectorMath.scale(x, N * C, by: config.embeddingScale)                                  // (B,T,C)
        let blockScratch = Gemma3BlockScratch(config, rows: N, sequence: T, base: scratch.pointer)
        for (l, offsets) in layout.layers.enumerated() {
            let isGlobal = config.layerTypes[l] == .fullAttention
            Gemma3Block.forward(config: config, rope: isGlobal ? globalRope : localRope,
                                window: isGlobal ? nil : config.slidingWindow, batch: B, sequence: T,
                                parameters: w, offsets: offsets, residual: x, scratch: blockScratch)
        }
        RMSNorm.forward(out: hidden.pointer, rstd: hiddenRstd.pointer, inp: x, weight: w + layout.finalNorm,
                        rows: N, width: C, epsilon: config.rmsNormEpsilon)
        lastShape = (B, T)
        return UnsafeBufferPointer(start: hidden.pointer, count: N * C)
    }

    /// Calls `body(rowStart, rowCount, logits (rowCount, V))` for every chunk of rows of the
    /// last forward pass; the logits buffer is reused (the body may overwrite it).
    public func logits(_ body: (Int, Int, UnsafeMutablePointer<Float>) throws -> Void) throws {
        guard lastShape.batch > 0 else { throw EngineError.noForwardPass(operation: "logits") }
        try LMHead.logits(hidden: hidden.pointer, weight: parameters.pointer + layout.embedding,
                          rows: lastShape.batch * lastShape.sequence, width: config.hiddenSize,
                          vocabularySize: config.vocabularySize, chunkRows: lmHeadChunkRows,
                          logitsScratch: logitsScratch.pointer, body: body)
    }
}

extension Gemma3Inference: DecoderInference {
    public var lmHeadWeight: UnsafePointer<Float> { UnsafePointer(parameters.pointer + layout.embedding) }
}
