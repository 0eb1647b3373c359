/// A trainable Llama-family model: parameters, gradients and activations each
/// in one contiguous buffer laid out from the config.
///
/// One training step:
/// ```
/// model.zeroGradients()
/// try model.forward(tokens: inputs, batchSize: B, sequenceLength: T)
/// var loss = try CrossEntropyLoss(targets: targets, vocabularySize: model.config.vocabularySize)
/// let sum = try model.lmHeadLoss(&loss)    // chunked head; fills hiddenGradient
/// // (optionally add extra ∂L/∂hidden into model.hiddenGradient here)
/// try model.backward()                      // accumulates into model.gradients
/// ```
public final class LlamaModel {
    /// The architecture.
    public let config: LlamaConfig
    /// Names, shapes and offsets of the parameters (shared by gradients and AdamW moments).
    public let layout: ParameterLayout
    /// Largest batch and sequence the activations are allocated for.
    public let maxBatchSize: Int, maxSequenceLength: Int
    /// All parameters, flat (layout.count).
    public let parameters: FloatBuffer
    /// All parameter gradients, flat, same layout; `backward` accumulates here.
    public let gradients: FloatBuffer
    /// Rows per LM-head chunk (logits scratch is chunkRows·V Floats).
    public let lmHeadChunkRows: Int

    let rope: RotaryTable
    let activations: FloatBuffer
    let hiddenGradientBuffer: FloatBuffer      // (B,T,C)
    let residualGradient: FloatBuffer          // (B,T,C)
    let projectionScratch: FloatBuffer         // (B,T,C)
    let blockScratch: FloatBuffer
    let logitsScratch: FloatBuffer             // (R,V)
    private var tokens: [Int32] = []
    /// Batch shape of the last forward pass (0 before any).
    public private(set) var batchSize = 0, sequenceLength = 0

    /// Allocates a model for batches up to `batchSize`×`sequenceLength` and
    /// initialises it deterministically from `seed` (see `initializeParameters`).
    public init(config: LlamaConfig, batchSize: Int, sequenceLength: Int, seed: UInt64,
                lmHeadChunkRows: Int = 256) throws {
        try config.validate(batch: batchSize, sequence: sequenceLength)
        self.config = config
        layout = ParameterLayout(config: config)
        maxBatchSize = batchSize
        maxSequenceLength = sequenceLength
        self.lmHeadChunkRows = max(1, lmHeadChunkRows)
        parameters = FloatBuffer(count: layout.count)
        gradients = FloatBuffer(count: layout.count)
        rope = RotaryTable(headSize: config.headSize, maxPositions: sequenceLength, theta: config.ropeTheta)
        activations = FloatBuffer(count: ActivationLayout(config: config, batch: batchSize, sequence: sequenceLength).count)
        let N = batchSize * sequenceLength, C = config.hiddenSize
        hiddenGradientBuffer = FloatBuffer(count: N * C)
        residualGradient = FloatBuffer(count: N * C)
        projectionScratch = FloatBuffer(count: N * C)
        blockScratch = FloatBuffer(count: Self.blockScratchCount(config, N, sequenceLength))
        logitsScratch = FloatBuffer(count: min(self.lmHeadChunkRows, N) * config.vocabularySize)
        initializeParameters(seed: seed)
    }

    static func blockScratchCount(_ c: LlamaConfig, _ N: Int, _ T: Int) -> Int {
        N * c.hiddenSize + N * c.qkvWidth + T * T + N * c.queryWidth + N * 2 * c.intermediateSize + N * c.intermediateSize
    }

    func blockScratchPointers() -> BlockGradientScratch {
        let c = config, N = maxBatchSize * maxSequenceLength, T = maxSequenceLength
        var p = blockScratch.pointer
        func take(_ n: Int) -> UnsafeMutablePointer<Float> { defer { p += n }; return p }
        return BlockGradientScratch(normGradient: take(N * c.hiddenSize), qkvGradient: take(N * c.qkvWidth),
                                    scoresGradient: take(T * T), attentionGradient: take(N * c.queryWidth),
                                    gateUpGradient: take(N * 2 * c.intermediateSize),
                                    swigluGradient: take(N * c.intermediateSize))
    }

    /// Llama initialisation: matrices N(0, 0.02), the residual projections
    /// (o_proj, down_proj) N(0, 0.02/√(2L)), norm weights 1. Deterministic in `seed`.
    public func initializeParameters(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let residualStd = Float(0.02 / (2.0 * Double(config.layerCount)).squareRoot())
        for t in layout.tensors {
            let view = parameters.slice(offset: t.offset, count: t.count)
            if t.shape.count == 1 {
                view.update(repeating: 1)
            } else {
                let isResidual = t.name.hasSuffix("o_proj.weight") || t.name.hasSuffix("down_proj.weight")
                rng.fillNormal(view, standardDeviation: isResidual ? residualStd : 0.02)
            }
        }
    }

    // MARK: named access

    /// The parameter tensor with a Hugging Face name, as a mutable view into `parameters`.
    public func parameter(named name: String) throws -> UnsafeMutableBufferPointer<Float> {
        let t = try layout.requireTensor(named: name)
        return parameters.slice(offset: t.offset, count: t.count)
    }

    /// The gradient of a named parameter, as a mutable view into `gradients`.
    public func gradient(named name: String) throws -> UnsafeMutableBufferPointer<Float> {
        let t = try layout.requireTensor(named: name)
        return gradients.slice(offset: t.offset, count: t.count)
    }

    /// Sets every gradient to zero.
    public func zeroGradients() { gradients.zero() }

    // MARK: forward

    /// Runs the body and the final RMSNorm on `tokens` (B·T ids, row-major
    /// (B,T)). Afterwards `hiddenStates` holds (B,T,C) and `hiddenGradient` is zero.
    public func forward(tokens: UnsafeBufferPointer<Int32>, batchSize B: Int, sequenceLength T: Int) throws {
        guard B > 0, T > 0, B <= maxBatchSize, T <= maxSequenceLength else {
            throw EngineError.batchShape(batch: B, sequence: T, maxBatch: maxBatchSize, maxSequence: maxSequenceLength)
        }
        guard tokens.count == B * T else {
            throw EngineError.lengthMismatch(what: "tokens", expected: B * T, actual: tokens.count)
        }
        try checkTokens(tokens, vocabularySize: config.vocabularySize)
        self.tokens = Array(tokens)
        batchSize = B; sequenceLength = T
        let N = B * T, C = config.hiddenSize
        let a = ActivationLayout(config: config, batch: B, sequence: T)
        let acts = activations.pointer, w = parameters.pointer
        Embedding.forward(out: acts + a.embedded, tokens: tokens.baseAddress!, weight: w + layout.embedding,
                          count: N, width: C)                                                  // (B,T,C)
        var input = acts + a.embedded
        for l in 0..<config.layerCount {
            TransformerBlock.forward(config: config, rope: rope, batch: B, sequence: T,
                                     parameters: w, offsets: layout.layers[l],
                                     activations: acts, slots: a.layers[l], input: input,
                                     projection: projectionScratch.pointer)
            input = acts + a.layers[l].output
        }
        RMSNorm.forward(out: acts + a.hidden, rstd: acts + a.hiddenRstd, inp: input, weight: w + layout.finalNorm,
                        rows: N, width: C, epsilon: config.rmsNormEpsilon)                     // (B,T,C)
        hiddenGradientBuffer.slice(offset: 0, count: N * C).update(repeating: 0)
    }

    /// Convenience overload taking an array.
    public func forward(tokens: [Int32], batchSize B: Int, sequenceLength T: Int) throws {
        try tokens.withUnsafeBufferPointer { try forward(tokens: $0, batchSize: B, sequenceLength: T) }
    }

    /// Final RMS-normed hidden states of the last forward pass, (B,T,C) flattened.
    public var hiddenStates: UnsafeMutableBufferPointer<Float> {
        let a = ActivationLayout(config: config, batch: batchSize, sequence: sequenceLength)
        return activations.slice(offset: a.hidden, count: batchSize * sequenceLength * config.hiddenSize)
    }

    /// ∂L/∂hiddenStates (B,T,C): zeroed by `forward`, accumulated by `lmHeadLoss`;
    /// callers may add their own gradient before `backward`.
    public var hiddenGradient: UnsafeMutableBufferPointer<Float> {
        hiddenGradientBuffer.slice(offset: 0, count: batchSize * sequenceLength * config.hiddenSize)
    }

    /// The LM head matrix (V,C) (the embedding when tied).
    public var lmHeadWeight: UnsafeMutableBufferPointer<Float> {
        parameters.slice(offset: layout.lmHead, count: config.vocabularySize * config.hiddenSize)
    }

    // MARK: LM head

    /// Runs the LM head in chunks of `lmHeadChunkRows` rows, handing each chunk's
    /// logits to `loss`; accumulates ∂L/∂W_head into `gradients` and ∂L/∂hidden
    /// into `hiddenGradient` unless `computeGradients` is false. Returns the sum
    /// of the values `loss` returned.
    @discardableResult
    public func lmHeadLoss<L: ChunkedLogitsLoss>(_ loss: inout L, computeGradients: Bool = true) throws -> Double {
        guard batchSize > 0 else { throw EngineError.noForwardPass(operation: "lmHeadLoss") }
        let N = batchSize * sequenceLength
        return LMHead.lossAndBackward(
            hidden: hiddenStates.baseAddress!, weight: parameters.pointer + layout.lmHead,
            hiddenGradient: computeGradients ? hiddenGradientBuffer.pointer : nil,
            weightGradient: computeGradients ? gradients.pointer + layout.lmHead : nil,
            rows: N, width: config.hiddenSize, vocabularySize: config.vocabularySize,
            chunkRows: lmHeadChunkRows, logitsScratch: logitsScratch.pointer, loss: &loss)
    }

    /// Calls `body(rowStart, rowCount, logits (rowCount,V))` per chunk of the last forward's rows.
    public func logits(_ body: (Int, Int, UnsafeMutablePointer<Float>) throws -> Void) throws {
        guard batchSize > 0 else { throw EngineError.noForwardPass(operation: "logits") }
        try LMHead.logits(hidden: hiddenStates.baseAddress!, weight: parameters.pointer + layout.lmHead,
                          rows: batchSize * sequenceLength, width: config.hiddenSize,
                          vocabularySize: config.vocabularySize, chunkRows: lmHeadChunkRows,
                          logitsScratch: logitsScratch.pointer, body: body)
    }

    // MARK: backward

    /// Back-propagates `hiddenGradient` through the final norm, every block and
    /// the embedding, ACCUMULATING into `gradients`.
    ///
    /// `gradientsFinal(offset)` is called as the pass moves down the model: from then on the
    /// gradients at `offset..<layout.count` are final (the final norm first, then each block
    /// from the last, then 0 after the embedding), so a data-parallel caller can start
    /// summing them while the earlier layers are still back-propagating.
    public func backward(gradientsFinal: ((Int) -> Void)? = nil) throws {
        guard batchSize > 0 else { throw EngineError.noForwardPass(operation: "backward") }
        let B = batchSize, T = sequenceLength, N = B * T, C = config.hiddenSize
        let a = ActivationLayout(config: config, batch: B, sequence: T)
        let acts = activations.pointer, w = parameters.pointer, g = gradients.pointer
        let dres = residualGradient.pointer
        dres.update(repeating: 0, count: N * C)
        let lastOutput = config.layerCount > 0 ? acts + a.layers[config.layerCount - 1].output : acts + a.embedded
        RMSNorm.backward(dinp: dres, dweight: g + layout.finalNorm, dout: hiddenGradientBuffer.pointer,
                         inp: lastOutput, weight: w + layout.finalNorm, rstd: acts + a.hiddenRstd, rows: N, width: C)
        gradientsFinal?(layout.finalNorm)
        let scratch = blockScratchPointers()
        for l in stride(from: config.layerCount - 1, through: 0, by: -1) {
            let input = l == 0 ? acts + a.embedded : acts + a.layers[l - 1].output
            TransformerBlock.backward(config: config, rope: rope, batch: B, sequence: T, parameters: w, gradients: g,
                                      offsets: layout.layers[l], activations: acts, slots: a.layers[l],
                                      input: input, residualGradient: dres, scratch: scratch)
            gradientsFinal?(layout.layers[l].inputNorm)
        }
        tokens.withUnsafeBufferPointer { tk in
            Embedding.backward(dweight: g + layout.embedding, dout: dres, tokens: tk.baseAddress!, count: N, width: C)
        }
        gradientsFinal?(0)
    }
}
