/// How the vocabulary rows of a model (its token embedding, and its output head when untied)
/// line up with the tokens of its tokenizer.
///
/// Published models often pad their vocabulary: the embedding has more rows than the
/// tokenizer has tokens (a multiple of 64 or 128 for faster matrix products). Taking the
/// row count as the vocabulary is a silent error in distillation: the teacher's softmax then
/// spreads mass over ids no text can contain, and its vocabulary no longer equals the
/// tokenizer's that the shards and the student are built on. So the rows past the tokens are
/// trimmed where that is exact, and a model that cannot embed every token is refused.
public enum VocabularyAlignment: Equatable, Sendable {
    /// As many rows as tokens.
    case exact
    /// The model has `from` rows and the tokenizer `to` tokens (`from` > `to`); the model
    /// keeps its first `to` rows, unchanged.
    ///
    /// Trimming is exact: the tokenizer never produces an id ≥ its token count, so the rows
    /// past it are never embedded; the kept rows are the first `to` rows unchanged, so the
    /// logits of real tokens are unchanged, and softmax over the kept rows is the
    /// distribution over the tokenizer's tokens (the padded model's distribution given
    /// that the next id is a real token).
    case trimmed(from: Int, to: Int)

    /// Decides the alignment of a model whose embedding has `embeddingRows` rows (and whose
    /// untied output head has `headRows`; nil when tied) with a tokenizer of `tokens` tokens.
    /// Refuses, naming `path`, a tokenizer with more tokens than the model has rows (ids the
    /// model cannot embed) and an embedding and head of different row counts (no one
    /// vocabulary to trim).
    public init(path: String, embeddingRows: Int, headRows: Int? = nil, tokens: Int) throws {
        if let headRows, headRows != embeddingRows {
            throw VocabularyAlignmentError.embeddingAndHeadDiffer(path: path, embeddingRows: embeddingRows, headRows: headRows)
        }
        if tokens > embeddingRows {
            throw VocabularyAlignmentError.moreTokensThanRows(path: path, rows: embeddingRows, tokens: tokens)
        }
        self = tokens == embeddingRows ? .exact : .trimmed(from: embeddingRows, to: tokens)
    }
}
