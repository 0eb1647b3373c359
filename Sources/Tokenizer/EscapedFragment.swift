/// Scratch for one encode call: a piece of raw text between user-defined tokens with its
/// spaces written as "▁" (E2 96 81), and the offsets of the "▁" (written or literal) after
/// the first byte, where a segment may start.
struct EscapedFragment {
    private(set) var text: UnsafeMutablePointer<UInt8>
    private(set) var spaces: UnsafeMutablePointer<Int32>
    private(set) var count = 0
    private(set) var spaceCount = 0
    /// Raw bytes the buffers have room for (grown by `fill`).
    private var rawCapacity = 0

    init() {
        text = .allocate(capacity: 3)
        spaces = .allocate(capacity: 1)
    }

    func deallocate() {
        text.deallocate()
        spaces.deallocate()
    }

    private mutating func reserve(_ rawCount: Int) {
        guard rawCount > rawCapacity else { return }
        deallocate()
        rawCapacity = max(rawCount, 2 * rawCapacity, 4096)
        text = .allocate(capacity: 3 * rawCapacity + 3)
        spaces = .allocate(capacity: rawCapacity + 1)
    }

    /// Escapes the `rawCount` bytes at `raw`, with one "▁" in front when `spacePrefix`.
    @inline(__always)
    mutating func fill(_ raw: UnsafePointer<UInt8>, count rawCount: Int, spacePrefix: Bool) {
        reserve(rawCount)
        let escaped = text, spaceOffsets = spaces
        var written = 0
        var found = 0
        @inline(__always) func writeSpace() {
            if written > 0 {
                spaceOffsets[found] = Int32(written)
                found += 1
            }
            escaped[written] = 0xE2
            escaped[written + 1] = 0x96
            escaped[written + 2] = 0x81
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
                escaped[written] = byte
                written += 1
                index += 1
            }
        }
        count = written
        spaceCount = found
    }
}
