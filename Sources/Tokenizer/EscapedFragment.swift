/// Scratch for one encode call: a piece of raw text between user-defined tokens with its
/// spaces written as "▁" (E2 96 81), and the offsets of the "▁" (written or literal) after
/// the first byte, where a segment may start.
struct EscapedFragment {
    let text: UnsafeMutablePointer<UInt8>
    let spaces: UnsafeMutablePointer<Int32>
    private(set) var count = 0
    private(set) var spaceCount = 0

    /// Room for any fragment of at most `rawCapacity` bytes.
    init(rawCapacity: Int) {
        text = .allocate(capacity: 3 * rawCapacity + 3)
        spaces = .allocate(capacity: rawCapacity + 1)
    }

    func deallocate() {
        text.deallocate()
        spaces.deallocate()
    }

    /// Escapes the `rawCount` bytes at `raw`, with one "▁" in front when `spacePrefix`.
    @inline(__always)
    mutating func fill(_ raw: UnsafePointer<UInt8>, count rawCount: Int, spacePrefix: Bool) {
        var written = 0
        var spaces = 0
        @inline(__always) func writeSpace() {
            if written > 0 {
                self.spaces[spaces] = Int32(written)
                spaces += 1
            }
            text[written] = 0xE2
            text[written + 1] = 0x96
            text[written + 2] = 0x81
            written += 3
        }
        if spacePrefix { writeSpace() }
        var index = 0
        while index < rawCount {
            let byte = raw[index]
            if byte == 0x20 {
                writeSpace()
                index += 1
            } else if byte == 0xE2 && index + 2 < rawCount && raw[index + 1] == 0x96 && raw[index + 2] == 0x81 {
                writeSpace()
                index += 3
            } else {
                text[written] = byte
                written += 1
                index += 1
            }
        }
        count = written
        spaceCount = spaces
    }
}
