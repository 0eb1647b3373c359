/// The 64-bit FNV-1a hash behind the tokenizers' identities.
struct FNV1aHash {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    @inline(__always)
    mutating func feed(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    /// Each string's UTF-8 followed by a 0x00 byte.
    mutating func feed(terminated strings: [String]) {
        for string in strings {
            for byte in string.utf8 { feed(byte) }
            feed(0)
        }
    }

    /// 16 lowercase hex digits.
    var hex: String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
