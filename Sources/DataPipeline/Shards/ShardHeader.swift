/// The header of a token shard (format version 1). All integers little-endian.
///
///     offset  size  field
///          0     8  magic "DDKTOKNS"
///          8     4  format version (1)
///         12     4  token width in bytes: 2 (uint16) when vocabularySize ≤ 65536, else 4 (uint32)
///         16     4  vocabulary size
///         20     4  EOS token id (int32) written after every document
///         24     8  document count
///         32     8  token count (EOS tokens included)
///         40     4  tokenizer identity length in bytes (n)
///         44     4  header length in bytes = 48 + n rounded up to a multiple of 64
///         48     n  tokenizer identity, UTF-8; then zero padding to the header length
///
/// The tokens follow the header: document 1, EOS, document 2, EOS, …
/// The file's size is exactly headerByteCount + tokenCount × tokenWidth.
public struct ShardHeader: Sendable, Equatable {
    /// The first eight bytes of every shard.
    public static let magic: [UInt8] = Array("DDKTOKNS".utf8)
    /// The format version this build writes and reads.
    public static let formatVersion: UInt32 = 1
    /// Bytes of the fixed part of the header.
    static let fixedByteCount = 48

    /// Vocabulary size of the tokenizer that wrote the shard.
    public var vocabularySize: Int
    /// The EOS id between documents.
    public var eosTokenID: Int32
    /// Number of documents.
    public var documentCount: Int = 0
    /// Number of tokens, EOS included.
    public var tokenCount: Int = 0
    /// The tokenizer's identity string.
    public var tokenizerIdentity: String

    /// Bytes per token: 2 when every id fits in uint16, else 4.
    public var tokenWidth: Int { vocabularySize <= 65536 ? 2 : 4 }

    /// Bytes of the whole header (fixed part + identity, padded to 64).
    public var headerByteCount: Int {
        let raw = ShardHeader.fixedByteCount + tokenizerIdentity.utf8.count
        return (raw + 63) / 64 * 64
    }

    /// Bytes of the whole file.
    public var fileByteCount: Int { headerByteCount + tokenCount * tokenWidth }

    /// The header's bytes.
    public func encoded() -> [UInt8] {
        var bytes = ShardHeader.magic
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        append(ShardHeader.formatVersion)
        append(UInt32(tokenWidth))
        append(UInt32(vocabularySize))
        append(eosTokenID)
        append(UInt64(documentCount))
        append(UInt64(tokenCount))
        append(UInt32(tokenizerIdentity.utf8.count))
        append(UInt32(headerByteCount))
        bytes.append(contentsOf: tokenizerIdentity.utf8)
        bytes.append(contentsOf: [UInt8](repeating: 0, count: headerByteCount - bytes.count))
        return bytes
    }

    /// Parses and checks a header from the start of a file of `fileByteCount` bytes.
    public static func decode(_ bytes: UnsafeRawBufferPointer, fileByteCount: Int, path: String) throws -> ShardHeader {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw ShardError.wrongMagic(path: path)
        }
        guard bytes.count >= fixedByteCount else {
            throw ShardError.truncated(path: path, expectedBytes: fixedByteCount, actualBytes: fileByteCount)
        }
        func read<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
            var value = T.zero
            withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + MemoryLayout<T>.size])) }
            return T(littleEndian: value)
        }
        let version = read(UInt32.self, at: 8)
        guard version == formatVersion else {
            throw ShardError.unsupportedVersion(path: path, version: version)
        }
        let width = Int(read(UInt32.self, at: 12))
        let vocabulary = Int(read(UInt32.self, at: 16))
        let eos = read(Int32.self, at: 20)
        let documents = read(UInt64.self, at: 24)
        let tokens = read(UInt64.self, at: 32)
        let identityLength = Int(read(UInt32.self, at: 40))
        let headerLength = Int(read(UInt32.self, at: 44))
        guard vocabulary > 0 else { throw ShardError.badHeader(path: path, problem: "vocabulary size is 0") }
        guard width == (vocabulary <= 65536 ? 2 : 4) else {
            throw ShardError.badHeader(path: path, problem: "token width \(width) does not match vocabulary size \(vocabulary)")
        }
        guard eos >= 0, Int(eos) < vocabulary else {
            throw ShardError.badHeader(path: path, problem: "EOS id \(eos) outside the vocabulary 0..<\(vocabulary)")
        }
        // Bounded so that the file size they imply (header + tokens × width) cannot overflow.
        guard documents <= UInt64(Int.max), tokens <= UInt64(Int.max) / 8, documents <= tokens else {
            throw ShardError.badHeader(path: path, problem: "impossible counts (\(documents) documents, \(tokens) tokens)")
        }
        guard headerLength == (fixedByteCount + identityLength + 63) / 64 * 64 else {
            throw ShardError.badHeader(path: path, problem: "header length \(headerLength) does not match identity length \(identityLength)")
        }
        guard bytes.count >= headerLength else {
            throw ShardError.truncated(path: path, expectedBytes: headerLength, actualBytes: fileByteCount)
        }
        let identityBytes = Array(bytes[fixedByteCount..<fixedByteCount + identityLength])
        guard let identity = String(validating: identityBytes, as: UTF8.self) else {
            throw ShardError.badHeader(path: path, problem: "tokenizer identity is not UTF-8")
        }
        let header = ShardHeader(vocabularySize: vocabulary, eosTokenID: eos, documentCount: Int(documents),
                                 tokenCount: Int(tokens), tokenizerIdentity: identity)
        guard header.fileByteCount == fileByteCount else {
            throw ShardError.truncated(path: path, expectedBytes: header.fileByteCount, actualBytes: fileByteCount)
        }
        return header
    }
}
