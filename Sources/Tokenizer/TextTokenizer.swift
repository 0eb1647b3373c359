/// What the rest of the code needs from a tokenizer, whichever algorithm the model uses:
/// `Tokenizer` (byte-level BPE, SmolLM2) or `SentencePieceTokenizer` (Gemma 3).
/// `encode` never adds BOS or EOS; use `encode(_:addingBOS:)` or add the ids yourself.
public protocol TextTokenizer: AnyObject, Sendable {
    /// Number of tokens in the vocabulary; ids are 0..<vocabularySize.
    var vocabularySize: Int { get }
    var bosTokenID: Int32? { get }
    var eosTokenID: Int32? { get }
    var paddingTokenID: Int32? { get }
    /// Whether the model expects BOS in front of a text.
    var addsBOSToken: Bool { get }
    /// 16 hex digits; two tokenizers with the same identity encode and decode identically.
    var identity: String { get }

    func encode(_ text: String) throws -> [Int32]
    func encode(utf8 bytes: UnsafeBufferPointer<UInt8>) throws -> [Int32]
    func decodeBytes(_ ids: [Int32]) -> [UInt8]
    func decode(_ ids: [Int32]) -> String
}

extension TextTokenizer {
    /// Encodes `text`, with BOS in front when `addingBOS` and the vocabulary has one.
    public func encode(_ text: String, addingBOS: Bool) throws -> [Int32] {
        let ids = try encode(text)
        guard addingBOS, let bosTokenID else { return ids }
        return [bosTokenID] + ids
    }
}

extension Tokenizer: TextTokenizer {}

extension SentencePieceTokenizer: TextTokenizer {
    public func encode(utf8 bytes: UnsafeBufferPointer<UInt8>) -> [Int32] {
        encode(utf8: bytes, addingBOS: false)
    }
}
