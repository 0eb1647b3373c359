import MappedFiles

/// A token shard opened read-only and memory-mapped; the header is checked
/// (magic, version, sizes, truncation) when it is opened.
public final class Shard: @unchecked Sendable {
    /// The file's path (named in every error).
    public let path: String
    /// The checked header.
    public let header: ShardHeader
    private let mapping: MappedFile
    private let tokens: UnsafeRawPointer

    /// Opens and validates `path`. When `expectedIdentity` / `expectedVocabularySize`
    /// are given, a shard made by another tokenizer is refused.
    public convenience init(path: String, expectedIdentity: String? = nil, expectedVocabularySize: Int? = nil) throws {
        let mapping: MappedFile
        do {
            mapping = try MappedFile(path: path)
        } catch let error as MappedFileError {
            throw ShardError.cannotOpen(path: path, reason: error.reason)
        }
        try self.init(file: mapping, expectedIdentity: expectedIdentity, expectedVocabularySize: expectedVocabularySize)
    }

    /// Validates a shard already in memory as `init(path:)` does (errors name `file.path`).
    public init(file mapping: MappedFile, expectedIdentity: String? = nil, expectedVocabularySize: Int? = nil) throws {
        let path = mapping.path
        self.path = path
        guard let base = mapping.base else { throw ShardError.wrongMagic(path: path) }
        let header = try ShardHeader.decode(mapping.bytes, fileByteCount: mapping.size, path: path)
        if let expectedIdentity, header.tokenizerIdentity != expectedIdentity {
            throw ShardError.tokenizerMismatch(path: path, shardIdentity: header.tokenizerIdentity, expectedIdentity: expectedIdentity)
        }
        if let expectedVocabularySize, header.vocabularySize != expectedVocabularySize {
            throw ShardError.vocabularyMismatch(path: path, shardVocabulary: header.vocabularySize, expectedVocabulary: expectedVocabularySize)
        }
        self.header = header
        self.mapping = mapping
        self.tokens = base + header.headerByteCount
        mapping.adviseRandomAccess()
    }

    /// Number of tokens (EOS included).
    public var tokenCount: Int { header.tokenCount }
    /// Number of documents.
    public var documentCount: Int { header.documentCount }

    /// The token at `index`.
    @inline(__always)
    public func token(at index: Int) -> Int32 {
        precondition(index >= 0 && index < header.tokenCount, "\(path): token index \(index) outside 0..<\(header.tokenCount)")
        if header.tokenWidth == 2 {
            return Int32(UInt16(littleEndian: tokens.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)))
        }
        return Int32(bitPattern: UInt32(littleEndian: tokens.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)))
    }

    /// Copies tokens `start..<start+destination.count` into `destination`.
    public func copyTokens(from start: Int, into destination: UnsafeMutableBufferPointer<Int32>) {
        precondition(start >= 0 && start + destination.count <= header.tokenCount,
                     "\(path): token range \(start)..<\(start + destination.count) outside 0..<\(header.tokenCount)")
        if header.tokenWidth == 2 {
            let source = tokens + 2 * start
            for i in 0..<destination.count {
                destination[i] = Int32(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        } else {
            let source = tokens + 4 * start
            for i in 0..<destination.count {
                destination[i] = Int32(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        }
    }

    /// Tokens `range` as an array.
    public func tokens(_ range: Range<Int>) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: range.count) { buffer, initialized in
            copyTokens(from: range.lowerBound, into: UnsafeMutableBufferPointer(rebasing: buffer[0..<range.count]))
            initialized = range.count
        }
    }
}
