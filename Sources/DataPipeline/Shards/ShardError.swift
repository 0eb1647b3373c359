/// A token shard that cannot be written or read; every description names the file.
public enum ShardError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case wrongMagic(path: String)
    case unsupportedVersion(path: String, version: UInt32)
    case badHeader(path: String, problem: String)
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    case tokenizerMismatch(path: String, shardIdentity: String, expectedIdentity: String)
    case vocabularyMismatch(path: String, shardVocabulary: Int, expectedVocabulary: Int)
    case tokenOutOfRange(path: String, token: Int32, vocabularySize: Int)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "\(path): cannot open token shard: \(reason)"
        case let .cannotWrite(path, reason):
            return "\(path): cannot write token shard: \(reason)"
        case let .wrongMagic(path):
            return "\(path): not a SwiftDDK token shard (wrong magic number); run `ddk prepare` to make shards"
        case let .unsupportedVersion(path, version):
            return "\(path): token shard format version \(version) is not supported (this build reads version \(ShardHeader.formatVersion))"
        case let .badHeader(path, problem):
            return "\(path): corrupt token shard header: \(problem)"
        case let .truncated(path, expected, actual):
            return "\(path): token shard is truncated or damaged: header promises \(expected) bytes, file has \(actual)"
        case let .tokenizerMismatch(path, shardIdentity, expectedIdentity):
            return "\(path): shard was made by tokenizer \(shardIdentity), but this run uses \(expectedIdentity); re-run `ddk prepare` with this tokenizer"
        case let .vocabularyMismatch(path, shardVocabulary, expectedVocabulary):
            return "\(path): shard has vocabulary size \(shardVocabulary), but this run's tokenizer has \(expectedVocabulary); re-run `ddk prepare` with this tokenizer"
        case let .tokenOutOfRange(path, token, vocabularySize):
            return "\(path): token id \(token) is outside the vocabulary 0..<\(vocabularySize)"
        }
    }
}
