import MappedFiles

/// Reads little-endian GGUF primitives from a mapped file, checking every read against the
/// end of the file so a truncated file gives `GGUFError.truncated` instead of a crash.
struct ByteCursor {
    let base: UnsafeRawPointer?
    let size: Int
    let path: String
    private(set) var offset: Int = 0

    init(file: MappedFile, path: String) {
        base = file.base
        size = file.size
        self.path = path
    }

    /// Throws unless `count` more bytes are available; `what` names the item being read.
    func require(_ count: Int, for what: @autoclosure () -> String) throws {
        if count < 0 || count > size - offset {
            throw GGUFError.truncated(path: path, what: what(), offset: offset, needed: count, fileSize: size)
        }
    }

    /// Reads a little-endian integer.
    mutating func read<T: FixedWidthInteger>(_: T.Type, for what: @autoclosure () -> String) throws -> T {
        try require(MemoryLayout<T>.size, for: what())
        let value = base!.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    /// Reads a GGUF string: a uint64 byte count followed by that many UTF-8 bytes.
    mutating func readString(for what: @autoclosure () -> String) throws -> String {
        let length = try read(UInt64.self, for: what())
        guard length <= UInt64(size - offset) else {
            throw GGUFError.truncated(path: path, what: what(), offset: offset,
                                      needed: Int(clamping: length), fileSize: size)
        }
        let count = Int(length)
        let bytes = UnsafeRawBufferPointer(start: base! + offset, count: count)
        offset += count
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Moves the offset up to the next multiple of `alignment`.
    mutating func align(to alignment: Int) {
        offset = (offset + alignment - 1) / alignment * alignment
    }
}
