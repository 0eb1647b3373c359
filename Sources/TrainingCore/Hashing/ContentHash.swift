import Foundation
import LanguageModels

/// 64-bit FNV-1a hashes: the config every rank agrees on, the student weights compared
/// across ranks, the teacher file and validation tokens keying the perplexity cache.
/// Not cryptographic: they detect accidents, not adversaries.
public struct ContentHash: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    public init() {}

    /// Mixes raw bytes.
    public mutating func combine(bytes: UnsafeRawBufferPointer) {
        var h = value
        for byte in bytes {
            h ^= UInt64(byte)
            h = h &* Self.prime
        }
        value = h
    }

    /// Mixes 32-bit words (4× faster than bytes; used for weights and tokens).
    public mutating func combine(words: UnsafeBufferPointer<UInt32>) {
        var h = value
        for word in words {
            h ^= UInt64(word)
            h = h &* Self.prime
        }
        value = h
    }

    /// Mixes the bit patterns of `values`.
    public mutating func combine(floats values: UnsafeBufferPointer<Float>) {
        values.withMemoryRebound(to: UInt32.self) { combine(words: $0) }
    }

    /// Mixes the bit patterns of `values`.
    public mutating func combine(tokens values: [Int32]) {
        values.withUnsafeBufferPointer { $0.withMemoryRebound(to: UInt32.self) { combine(words: $0) } }
    }

    /// Mixes a string's UTF-8 bytes and a terminator.
    public mutating func combine(_ text: String) {
        var copy = text + "\u{0}"
        copy.withUTF8 { combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The hash of a string.
    public static func of(_ text: String) -> UInt64 {
        var hash = ContentHash()
        hash.combine(text)
        return hash.value
    }

    /// A hash that has mixed each file's own hash (`ofFile`, as hex), in order: a model's
    /// weight files.
    public static func ofFiles(_ paths: [String]) throws -> ContentHash {
        var hash = ContentHash()
        for path in paths { hash.combine(hex(try ofFile(path))) }
        return hash
    }

    /// The hash of a file's bytes, read in 8 MB blocks.
    public static func ofFile(_ path: String) throws -> UInt64 {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ModelSourceError(role: .teacher, path: path, problem: "cannot be read to compute its hash")
        }
        defer { try? handle.close() }
        var hash = ContentHash()
        while let block = try handle.read(upToCount: 8 << 20), !block.isEmpty {
            block.withUnsafeBytes { raw in
                let words = raw.count / 4
                raw.baseAddress.map { base in
                    hash.combine(words: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt32.self), count: words))
                }
                hash.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[(words * 4)...]))
            }
        }
        return hash.value
    }

    /// A hash as 16 hex digits.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
