/// GPT-2's byte-level alphabet: every byte value is shown as a printable Unicode character
/// so that BPE tokens are printable strings. Printable Latin-1 bytes (0x21–0x7E, 0xA1–0xAC,
/// 0xAE–0xFF) stand for themselves; the other 68 bytes, in increasing order, become
/// U+0100, U+0101, …  (so the space 0x20 is "Ġ" U+0120 and the newline 0x0A is "Ċ" U+010A).
enum ByteLevelAlphabet {
    /// The character (as a Unicode scalar value) that stands for each byte.
    static let scalarForByte: [UInt32] = {
        var scalars = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                scalars[byte] = UInt32(byte)
            } else {
                scalars[byte] = next
                next += 1
            }
        }
        return scalars
    }()

    /// The byte each alphabet character stands for, indexed by scalar value (< 324); -1 for
    /// scalars outside the alphabet.
    static let byteForScalar: [Int16] = {
        var bytes = [Int16](repeating: -1, count: 324)
        for (byte, scalar) in scalarForByte.enumerated() { bytes[Int(scalar)] = Int16(byte) }
        return bytes
    }()

    /// The bytes a token string stands for: each character mapped back through the alphabet.
    /// A token with a character outside the alphabet (a special token written in plain
    /// text) stands for its own UTF-8 bytes.
    static func bytes(ofToken token: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for scalar in token.unicodeScalars {
            let value = Int(scalar.value)
            guard value < byteForScalar.count, byteForScalar[value] >= 0 else { return Array(token.utf8) }
            bytes.append(UInt8(byteForScalar[value]))
        }
        return bytes
    }

    /// The one-character token string for a byte.
    static func token(forByte byte: UInt8) -> String {
        String(Character(Unicode.Scalar(scalarForByte[Int(byte)])!))
    }
}
