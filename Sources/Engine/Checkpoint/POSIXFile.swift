#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import MappedFiles

/// A failed system call on a file: the operation, the path and errno's message.
public struct FileSystemError: Error, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var code: Int32
    public var description: String { "\(path): \(operation) failed: \(String(cString: strerror(code))) (errno \(code))" }
}

extension FileSystemError {
    /// The same error for a file that could not be mapped. A directory or device is
    /// reported as `mmap` failing with ENODEV, which is what mapping one returns.
    init(mapping error: MappedFileError) {
        self.init(operation: error.step == .notRegularFile ? "mmap" : error.step.rawValue,
                  path: error.path, code: error.code ?? ENODEV)
    }
}

/// Every libc call on files goes through here: a negative result (or
/// MAP_FAILED) becomes a FileSystemError with errno's message.
@discardableResult
func posixCheck<T: BinaryInteger>(_ operation: String, _ path: String, _ body: () -> T) throws -> T {
    let r = body()
    if r < 0 { throw FileSystemError(operation: operation, path: path, code: errno) }
    return r
}

/// Writes a file atomically: the bytes go to a temporary file in the same
/// directory, which is flushed to disk and renamed over `path`.
public struct AtomicFileWriter {
    public let path: String
    public let temporaryPath: String
    private let fd: Int32

    public init(path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        self.path = path
        temporaryPath = temporary
        fd = try posixCheck("open for writing", temporary) { open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
    }

    /// Appends raw bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = try posixCheck("write", temporaryPath) { Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done) }
            done += n
        }
    }

    public func write(_ data: Data) throws { try data.withUnsafeBytes { try write($0) } }

    /// Flushes, closes and renames into place.
    public func commit() throws {
        try posixCheck("fsync", temporaryPath) { fsync(fd) }
        try posixCheck("close", temporaryPath) { close(fd) }
        try posixCheck("rename to \(path)", temporaryPath) { rename(temporaryPath, path) }
    }

    /// Closes and removes the temporary file (after a failure).
    public func abandon() {
        close(fd)
        unlink(temporaryPath)
    }
}

extension AtomicFileWriter {
    /// Writes `data` to `path` atomically (temporary file, fsync, rename).
    public static func write(_ data: Data, to path: String) throws {
        let writer = try AtomicFileWriter(path: path)
        do { try writer.write(data); try writer.commit() } catch { writer.abandon(); throw error }
    }

    /// Flushes a directory's entries (after renames inside it) to disk.
    public static func synchronizeDirectory(_ path: String) throws {
        let fd = try posixCheck("open directory", path) { open(path, O_RDONLY | O_DIRECTORY) }
        defer { close(fd) }
        try posixCheck("fsync directory", path) { fsync(fd) }
    }
}
