import GGUF

/// Opens the tokenizer a GGUF file describes, choosing the implementation from
/// `tokenizer.ggml.model`: "gpt2" → `Tokenizer` (byte-level BPE), "llama" →
/// `SentencePieceTokenizer`. Any other model is refused in one line naming it.
public enum GGUFTokenizer {
    public static func load(from file: GGUFFile) throws -> any TextTokenizer {
        let model = try file.string("tokenizer.ggml.model")
        switch model {
        case "gpt2": return try Tokenizer(gguf: file)
        case "llama": return try SentencePieceTokenizer(gguf: file)
        default:
            throw TokenizerError.unsupportedModel(
                path: file.path, model: model, supported: ["byte-level BPE ('gpt2')", "SentencePiece BPE ('llama')"])
        }
    }

    /// Opens the tokenizer of the GGUF file at `path` (see `load(from:)`).
    public static func load(ggufAt path: String) throws -> any TextTokenizer {
        try load(from: try GGUFFile(path: path))
    }
}
