/// A model whose vocabulary rows cannot be aligned with its tokenizer's tokens, in one line
/// naming the file and both counts.
public enum VocabularyAlignmentError: Error, CustomStringConvertible, Equatable {
    /// The tokenizer has more tokens than the model has rows: ids `rows..<tokens` have no embedding.
    case moreTokensThanRows(path: String, rows: Int, tokens: Int)
    /// The untied output head has another row count than the embedding.
    case embeddingAndHeadDiffer(path: String, embeddingRows: Int, headRows: Int)

    public var description: String {
        switch self {
        case let .moreTokensThanRows(path, rows, tokens):
            return "\(path): the tokenizer has \(tokens) tokens but the model has \(rows) vocabulary rows; "
                + "ids \(rows)..<\(tokens) cannot be embedded"
        case let .embeddingAndHeadDiffer(path, embeddingRows, headRows):
            return "\(path): the embedding has \(embeddingRows) vocabulary rows but the output head has \(headRows); "
                + "they must agree"
        }
    }
}
