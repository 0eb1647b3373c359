import GGUF

/// The vocabulary of a GGUF model: the tokenizer's tokens, with padded rows trimmed.
extension GGUFFile {
    /// The tensors whose rows are the vocabulary: the embedding and the untied output head.
    static let vocabularyTensorNames: Set<String> = ["token_embd.weight", "output.weight"]

    /// How the rows of `token_embd.weight` (and `output.weight` when present) line up with
    /// the tokens of `tokenizer.ggml.tokens`; nil when the file lists no tokens. Throws (one
    /// line naming the file and both counts) when the tokenizer has more tokens than the rows.
    public func vocabularyAlignment() throws -> VocabularyAlignment? {
        guard let tokens = tokenCount else { return nil }
        let headRows = containsTensor(named: "output.weight") ? try tensor(named: "output.weight").rows : nil
        return try VocabularyAlignment(path: path, embeddingRows: try tensor(named: "token_embd.weight").rows,
                                       headRows: headRows, tokens: tokens)
    }

    /// The vocabulary size a model from this file is built with: the tokenizer's token count
    /// (rows past it are trimmed, see `VocabularyAlignment`), else the rows of
    /// `token_embd.weight`. `vocabularyKey` (`llama.vocab_size`), when given and present, must
    /// name either count: converters write the padded size or the token count there, and any
    /// other value means the file does not describe its own tensors.
    func modelVocabularySize(vocabularyKey: String? = nil) throws -> Int {
        _ = try vocabularyAlignment()  // refuses a tokenizer with more tokens than rows
        let rows = try tensor(named: "token_embd.weight").rows
        if let vocabularyKey, let stated = try optionalInteger(vocabularyKey), stated != rows, stated != tokenCount {
            let tokens = tokenCount.map { " and the tokenizer \($0) tokens" } ?? ""
            throw modelError(vocabularyKey, "is \(stated) but token_embd.weight has \(rows) rows\(tokens)")
        }
        return tokenCount ?? rows
    }

    /// The number of tokens in `tokenizer.ggml.tokens`, nil when the file has none.
    private var tokenCount: Int? {
        guard case let .array(_, tokens)? = metadata["tokenizer.ggml.tokens"] else { return nil }
        return tokens.count
    }
}
