/// A frozen language model for forward passes (the teacher): what perplexity, generation and
/// the teacher benchmark need, whichever architecture runs underneath (`LlamaInference`,
/// `Gemma3Inference`).
public protocol LanguageModelInference: AnyObject {
    /// Vocabulary size V.
    var vocabularySize: Int { get }
    /// Width C of the final hidden states.
    var hiddenSize: Int { get }
    /// Largest batch shape accepted.
    var maxBatchSize: Int { get }
    var maxSequenceLength: Int { get }
    /// The LM head matrix (V, C).
    var lmHeadWeight: UnsafePointer<Float> { get }

    /// Runs the model on `tokens` (B·T ids, row-major (B,T)) and returns the final normed
    /// hidden states (B,T,C), valid until the next call.
    @discardableResult
    func forward(tokens: UnsafeBufferPointer<Int32>, batchSize: Int, sequenceLength: Int) throws -> UnsafeBufferPointer<Float>

    /// Calls `body(rowStart, rowCount, logits (rowCount, V))` for every chunk of rows of the
    /// last forward pass; the logits buffer is reused.
    func logits(_ body: (Int, Int, UnsafeMutablePointer<Float>) throws -> Void) throws

    /// Forward FLOPs per token at a context length (2 per matmul weight plus attention).
    func forwardFlopsPerToken(sequenceLength: Int) -> Double
    /// The widths of the MLP's up projection, (C, F): the shape the teacher bench probes sgemm with.
    var feedForwardShape: (input: Int, output: Int) { get }
}

extension LanguageModelInference {
    /// Convenience overload taking an array.
    @discardableResult
    public func forward(tokens: [Int32], batchSize B: Int, sequenceLength T: Int) throws -> UnsafeBufferPointer<Float> {
        try tokens.withUnsafeBufferPointer { try forward(tokens: $0, batchSize: B, sequenceLength: T) }
    }
}

/// A model whose sizes come from its configuration and whose parameters are named by its
/// layout: the members of `LanguageModelInference` these answer are written once, here.
public protocol DecoderInference: LanguageModelInference {
    associatedtype Config: DecoderShape
    associatedtype Layout: ParameterTensorLookup
    /// The architecture.
    var config: Config { get }
    /// Names, shapes and offsets of the parameters.
    var layout: Layout { get }
    /// All parameters, flat.
    var parameters: FloatBuffer { get }
}

extension DecoderInference {
    public var vocabularySize: Int { config.vocabularySize }
    public var hiddenSize: Int { config.hiddenSize }
    public func forwardFlopsPerToken(sequenceLength: Int) -> Double { config.forwardFlopsPerToken(sequenceLength: sequenceLength) }
    public var feedForwardShape: (input: Int, output: Int) { (config.hiddenSize, config.intermediateSize) }

    /// The parameter tensor with a Hugging Face name, as a mutable view (for loaders).
    public func parameter(named name: String) throws -> UnsafeMutableBufferPointer<Float> {
        let t = try layout.requireTensor(named: name)
        return parameters.slice(offset: t.offset, count: t.count)
    }

    /// Throws unless `tokens` is a (B,T) batch within the allocated shape, of ids in the vocabulary.
    func checkInput(_ tokens: UnsafeBufferPointer<Int32>, batchSize B: Int, sequenceLength T: Int) throws {
        guard B > 0, T > 0, B <= maxBatchSize, T <= maxSequenceLength else {
            throw EngineError.batchShape(batch: B, sequence: T, maxBatch: maxBatchSize, maxSequence: maxSequenceLength)
        }
        guard tokens.count == B * T else {
            throw EngineError.lengthMismatch(what: "tokens", expected: B * T, actual: tokens.count)
        }
        try checkTokens(tokens, vocabularySize: config.vocabularySize)
    }
}

extension LlamaInference: DecoderInference {
    public var lmHeadWeight: UnsafePointer<Float> { UnsafePointer(parameters.pointer + layout.lmHead) }
}
