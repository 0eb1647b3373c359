/// The sizes every decoder configuration states, whatever its architecture: what inference
/// code reads without knowing which model runs.
public protocol DecoderShape {
    /// Model width C.
    var hiddenSize: Int { get }
    /// MLP inner width F.
    var intermediateSize: Int { get }
    /// Vocabulary size V.
    var vocabularySize: Int { get }
    /// Longest sequence.
    var maxPositionEmbeddings: Int { get }
    /// Forward FLOPs per token at a context length.
    func forwardFlopsPerToken(sequenceLength: Int) -> Double
    /// Checks every constraint the engine relies on; throws naming the first bad field.
    func validate() throws
}

extension DecoderShape {
    /// Checks the config (`validate()`) and that a model for batches up to
    /// `batch`×`sequence` can be built from it.
    func validate(batch: Int, sequence: Int) throws {
        try validate()
        guard batch > 0, sequence > 0 else {
            throw EngineError.batchShape(batch: batch, sequence: sequence, maxBatch: batch, maxSequence: sequence)
        }
        guard sequence <= maxPositionEmbeddings else {
            throw EngineError.sequenceTooLong(sequence: sequence, maxPositions: maxPositionEmbeddings)
        }
    }
}

extension LlamaConfig: DecoderShape {}
extension Gemma3Config: DecoderShape {}
