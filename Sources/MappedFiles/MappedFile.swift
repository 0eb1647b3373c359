#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole regular file memory-mapped read-only, unmapped when the last reference goes
/// away. The GGUF reader, the safetensors reader and the token shards all read their
/// files through this one type; each turns a `MappedFileError` into its own error.
/// `init(copying:path:)` holds bytes that never were a file (the fuzz targets) the same way.
public final class MappedFile: @unchecked Sendable {
    /// The path the file was opened with.
    public let path: String
    /// First byte of the mapping (nil for an empty file, which cannot be mapped).
    public let base: UnsafeRawPointer?
    /// Size of the file in bytes.
    public let size: Int
    /// Whether `base` is a mapping (else a heap copy, or nil).
    private let isMapped: Bool

    /// The whole file as bytes (empty for an empty file).
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }

    /// Opens and maps `path`; throws `MappedFileError` naming the step that failed.
    public init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw MappedFileError(step: .open, path: path, code: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw MappedFileError(step: .fstat, path: path, code: errno) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw MappedFileError(step: .notRegularFile, path: path, code: nil)
        }
        size = Int(status.st_size)
        if size == 0 {
            base = nil
            isMapped = false
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let address, address != MAP_FAILED else { throw MappedFileError(step: .mmap, path: path, code: errno) }
        base = UnsafeRawPointer(address)
        isMapped = true
    }

    /// A heap copy of `bytes` standing for the file at `path`: the readers parse it exactly
    /// as a mapped file, and the address sanitizer sees a read past its end (it would not
    /// see one into the rest of a mapping's last page).
    public init(copying bytes: UnsafeRawBufferPointer, path: String) {
        self.path = path
        size = bytes.count
        isMapped = false
        guard let source = bytes.baseAddress, size > 0 else {
            base = nil
            return
        }
        let copy = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        copy.copyMemory(from: source, byteCount: size)
        base = UnsafeRawPointer(copy)
    }

    /// Tells the kernel that reads will jump around (token shards), so it does not read ahead.
    public func adviseRandomAccess() {
        if let base, isMapped { _ = madvise(UnsafeMutableRawPointer(mutating: base), size, MADV_RANDOM) }
    }

    deinit {
        guard let base else { return }
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), size)
        } else {
            base.deallocate()
        }
    }
}

/// Why a file could not be mapped: the step, the path and errno.
public struct MappedFileError: Error, Equatable, CustomStringConvertible {
    /// The step of opening a mapping that failed.
    public enum Step: String, Equatable, Sendable {
        case open, fstat, mmap
        /// The path is a directory, a device or another non-regular file.
        case notRegularFile
    }

    public let step: Step
    public let path: String
    /// errno after the failed call (nil for `notRegularFile`).
    public let code: Int32?

    /// The system's reason, prefixed with the call when it is not `open`
    /// (`"No such file or directory"`, `"mmap: Cannot allocate memory"`, `"not a regular file"`).
    public var reason: String {
        switch step {
        case .notRegularFile: return "not a regular file"
        case .open: return Self.message(code)
        case .fstat, .mmap: return "\(step.rawValue): \(Self.message(code))"
        }
    }

    public var description: String { "\(path): cannot map the file: \(reason)" }

    private static func message(_ code: Int32?) -> String { code.map { String(cString: strerror($0)) } ?? "unknown error" }
}
