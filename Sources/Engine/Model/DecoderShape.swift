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
}

extension LlamaConfig: DecoderShape {}
extension Gemma3Config: DecoderShape {}
