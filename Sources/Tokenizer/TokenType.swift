/// The kind of a vocabulary entry, as GGUF's `tokenizer.ggml.token_type` numbers it
/// (SentencePiece's piece types).
public enum TokenType: Int32, Sendable {
    /// Ordinary text; formed by merges.
    case normal = 1
    /// The unknown token ("<unk>").
    case unknown = 2
    /// Structure such as "<bos>" or "<start_of_turn>": never produced from text by `encode`.
    case control = 3
    /// Text matched whole wherever it occurs, before merging (runs of newlines, "<b>", ...).
    case userDefined = 4
    /// A reserved slot.
    case unused = 5
    /// Byte fallback "<0xNN>": one raw byte, for characters the vocabulary lacks.
    case byte = 6
}
