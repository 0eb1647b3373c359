#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one token shard: documents are appended one at a time (an EOS id after
/// each); the file is written under a temporary name next to `path` and renamed
/// by `finish()`, so a reader never sees a half-written shard. A writer that is
/// dropped without `finish()` removes its temporary file.
public final class ShardWriter {
    /// Where the shard appears after `finish()`.
    public let path: String
    private let temporaryPath: String
    private var header: ShardHeader
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var finished = false

    /// Starts a shard at `path` for a tokenizer of `vocabularySize` ids.
    public init(path: String, vocabularySize: Int, eosTokenID: Int32, tokenizerIdentity: String) throws {
        guard vocabularySize > 0, vocabularySize <= Int(UInt32.max) else {
            throw ShardError.cannotWrite(path: path, reason: "vocabulary size \(vocabularySize) out of range")
        }
        guard eosTokenID >= 0, Int(eosTokenID) < vocabularySize else {
            throw ShardError.cannotWrite(path: path, reason: "EOS id \(eosTokenID) outside the vocabulary 0..<\(vocabularySize)")
        }
        self.path = path
        self.temporaryPath = "\(path).partial-\(getpid())"
        self.header = ShardHeader(vocabularySize: vocabularySize, eosTokenID: eosTokenID, tokenizerIdentity: tokenizerIdentity)
        self.descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw ShardError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        buffer.reserveCapacity(1 << 20)
        buffer.append(contentsOf: header.encoded())  // rewritten with the counts by finish()
    }

    deinit {
        if !finished {
            if descriptor >= 0 { close(descriptor) }
            unlink(temporaryPath)
        }
    }

    /// Appends one document's tokens followed by the EOS id.
    public func append(document tokens: [Int32]) throws {
        let width = header.tokenWidth
        for token in tokens {
            guard token >= 0, Int(token) < header.vocabularySize else {
                throw ShardError.tokenOutOfRange(path: path, token: token, vocabularySize: header.vocabularySize)
            }
        }
        for token in tokens + [header.eosTokenID] {
            if width == 2 {
                let value = UInt16(truncatingIfNeeded: token).littleEndian
                buffer.append(UInt8(truncatingIfNeeded: value)); buffer.append(UInt8(truncatingIfNeeded: value >> 8))
            } else {
                withUnsafeBytes(of: UInt32(bitPattern: token).littleEndian) { buffer.append(contentsOf: $0) }
            }
        }
        header.documentCount += 1
        header.tokenCount += tokens.count + 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Writes the final header and renames the temporary file to `path`.
    @discardableResult
    public func finish() throws -> ShardHeader {
        try flush()
        let headerBytes = header.encoded()
        let written = headerBytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        guard written == headerBytes.count else {
            throw ShardError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        guard close(descriptor) == 0 else {
            descriptor = -1
            throw ShardError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        descriptor = -1
        guard rename(temporaryPath, path) == 0 else {
            throw ShardError.cannotWrite(path: path, reason: "rename from \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        finished = true
        return header
    }

    private func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else {
                throw ShardError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
