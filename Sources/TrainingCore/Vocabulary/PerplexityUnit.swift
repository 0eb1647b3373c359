/// What a validation perplexity is per: a token of the one vocabulary student and teacher
/// share, or a byte of text when their vocabularies differ (a teacher with longer tokens
/// has a higher per-token perplexity on the same text, so per-token figures of two
/// tokenizers cannot be compared; docs/ALGORITHMS.md §5).
public enum PerplexityUnit: String, Codable, Sendable {
    case token, byte
}
