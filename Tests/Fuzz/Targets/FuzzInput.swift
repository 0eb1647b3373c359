import Foundation

/// The pieces fuzz targets cut from their input bytes.
enum FuzzInput {
    /// The bytes as `Data` (the JSON readers take `Data`).
    static func data(_ bytes: UnsafeRawBufferPointer) -> Data {
        bytes.isEmpty ? Data() : Data(bytes: bytes.baseAddress!, count: bytes.count)
    }

    /// The bytes as text, invalid UTF-8 replaced by U+FFFD (text files are read as UTF-8 and
    /// the readers only ever see valid strings).
    static func text(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes as little-endian 32-bit words (a trailing partial word is dropped).
    static func words(_ bytes: UnsafeRawBufferPointer) -> [UInt32] {
        (0..<bytes.count / 4).map { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }
    }
}
