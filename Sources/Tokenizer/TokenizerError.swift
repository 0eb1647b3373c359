/// What can go wrong building a tokenizer or encoding text. Each description is one line.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// The vocabulary is empty or too large for Int32 ids.
    case invalidVocabulary(reason: String)
    /// Merge `rank` is not "left right" with both parts and their concatenation in the vocabulary.
    case invalidMerge(rank: Int, merge: String, reason: String)
    /// A special token id (BOS, EOS, padding) outside the vocabulary.
    case specialTokenOutOfRange(name: String, id: Int32, vocabularySize: Int)
    /// The GGUF file's `tokenizer.ggml.model` is none of the `supported` kinds (each named
    /// like "byte-level BPE ('gpt2')").
    case unsupportedModel(path: String, model: String, supported: [String])
    /// A tokenizer entry of the GGUF file holds something else than `expected`.
    case invalidMetadata(path: String, key: String, expected: String)
    /// The text holds a byte for which the vocabulary has no token, so it cannot be encoded
    /// (in SmolLM2's vocabulary: 0x04, 0x06, 0x13, 0x14, 0x16, 0x1D, 0xC0, 0xC1, 0xF1, 0xF2,
    /// 0xF5–0xFF). `offset` is the byte's position in the UTF-8 input.
    case unencodableByte(byte: UInt8, offset: Int)
    /// A vocabulary read from the GGUF file at `path` that cannot make a tokenizer (`problem`
    /// names why: `invalidVocabulary`, `invalidMerge`, `specialTokenOutOfRange`).
    indirect case invalidGGUFVocabulary(path: String, problem: TokenizerError)

    public var description: String {
        switch self {
        case let .invalidVocabulary(reason):
            return "tokenizer: invalid vocabulary: \(reason)"
        case let .invalidMerge(rank, merge, reason):
            return "tokenizer: merge \(rank) '\(merge)' is invalid: \(reason)"
        case let .specialTokenOutOfRange(name, id, vocabularySize):
            return "tokenizer: \(name) token id \(id) is outside the vocabulary of \(vocabularySize) tokens"
        case let .unsupportedModel(path, model, supported):
            let verb = supported.count == 1 ? "is" : "are"
            return "\(path): tokenizer.ggml.model is '\(model)'; only \(supported.joined(separator: " and ")) \(verb) supported"
        case let .invalidMetadata(path, key, expected):
            return "\(path): \(key) should be \(expected)"
        case let .unencodableByte(byte, offset):
            let hex = String(byte, radix: 16, uppercase: true)
            return "tokenizer: byte 0x\(hex.count == 1 ? "0" + hex : hex) at offset \(offset) has no token in this vocabulary; remove or replace it before encoding"
        case let .invalidGGUFVocabulary(path, problem):
            return "\(path): \(problem)"
        }
    }
}
