/// Token texts as an open-addressing hash table, UTF-8 bytes → token id, for merges that
/// ask "is this concatenation a token?". Built once; read-only afterwards.
struct TokenTextTable: Sendable {
    /// The tokens' UTF-8.
    private let texts: TokenByteTable
    /// Per slot `tag << 32 | (id + 1)`, where the tag is the high 32 bits of the text's hash
    /// (to pass over most other keys without comparing); 0 marks a free slot.
    private let slots: [UInt64]

    /// Indexes `tokens` by text. When two tokens share a text the later id wins, as in
    /// llama.cpp's text → id map.
    init(tokens: [String]) {
        let texts = TokenByteTable(tokens) { $1.append(contentsOf: $0.utf8) }
        let offsets = texts.offsets
        var capacity = 16
        while capacity < 2 * tokens.count { capacity *= 2 }
        var slots = [UInt64](repeating: 0, count: capacity)
        texts.bytes.withUnsafeBufferPointer { all in
            for id in tokens.indices {
                let start = all.baseAddress! + Int(offsets[id])
                let length = Int(offsets[id + 1] - offsets[id])
                let hash = EncodingWorkspace.hash(start, length)
                var slot = Int(truncatingIfNeeded: hash) & (capacity - 1)
                while slots[slot] != 0 {
                    let other = Int(truncatingIfNeeded: slots[slot] & 0xFFFF_FFFF) - 1
                    if Int(offsets[other + 1] - offsets[other]) == length,
                       EncodingWorkspace.equal(all.baseAddress! + Int(offsets[other]), start, length) { break }
                    slot = (slot + 1) & (capacity - 1)
                }
                slots[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(id + 1)
            }
        }
        self.texts = texts
        self.slots = slots
    }

    /// Read access for the hot loop (valid while the table lives).
    func withLookup<Result>(_ body: (TokenTextLookup) throws -> Result) rethrows -> Result {
        try texts.bytes.withUnsafeBufferPointer { bytes in
            try texts.offsets.withUnsafeBufferPointer { offsets in
                try slots.withUnsafeBufferPointer { slots in
                    try body(TokenTextLookup(bytes: bytes.baseAddress!, offsets: offsets.baseAddress!,
                                             slots: slots.baseAddress!, mask: slots.count - 1))
                }
            }
        }
    }
}

/// Unsafe read view of a `TokenTextTable`.
struct TokenTextLookup {
    let bytes: UnsafePointer<UInt8>
    let offsets: UnsafePointer<Int32>
    let slots: UnsafePointer<UInt64>
    let mask: Int

    /// The id of the token whose text is the `length` bytes at `text`, or -1.
    @inline(__always)
    func id(_ text: UnsafePointer<UInt8>, _ length: Int) -> Int32 {
        let hash = EncodingWorkspace.hash(text, length)
        let tag = hash & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return -1 }
            if entry & 0xFFFF_FFFF_0000_0000 == tag {
                let id = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                let start = Int(offsets[id])
                if Int(offsets[id + 1]) - start == length, EncodingWorkspace.equal(bytes + start, text, length) {
                    return Int32(id)
                }
            }
            slot = (slot + 1) & mask
        }
    }
}
