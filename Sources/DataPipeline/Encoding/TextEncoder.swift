/// What the data pipeline needs from a tokenizer.
///
/// DataPipeline does not depend on the Tokenizer module: the command-line tool
/// makes the project's `Tokenizer` conform, tests use small encoders of their own.
public protocol TextEncoder: Sendable {
    /// Token ids of `text`; throws (naming the problem) when the text cannot be encoded.
    func encode(_ text: String) throws -> [Int32]
    /// Number of token ids; every id is in `0..<vocabularySize`.
    var vocabularySize: Int { get }
    /// The end-of-sequence id written between documents, if the vocabulary has one.
    var eosTokenID: Int32? { get }
    /// A string that changes whenever the mapping from text to ids changes (a hash
    /// of the vocabulary and merges); shards record it and refuse other tokenizers.
    var identity: String { get }
}
