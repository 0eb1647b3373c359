/// BPE merges as an open-addressing hash table: (left id, right id) → (rank, merged id).
/// Built once; read-only afterwards.
struct MergeTable: Sendable {
    /// Packed `left << 32 | right`; `emptyKey` marks a free slot.
    private let keys: [UInt64]
    /// Packed `rank << 32 | merged id`.
    private let values: [UInt64]
    private let shift: UInt64
    private static let emptyKey = UInt64.max

    /// The result of a lookup: no merge has this rank.
    static let noRank = Int32.max

    /// `merges[r]` = (left, right, merged) of merge rank r.
    init(merges: [(left: Int32, right: Int32, merged: Int32)]) {
        var capacity = 16
        while capacity < 2 * merges.count { capacity *= 2 }
        var keys = [UInt64](repeating: Self.emptyKey, count: capacity)
        var values = [UInt64](repeating: 0, count: capacity)
        let shift = UInt64(64 - capacity.trailingZeroBitCount)
        for (rank, merge) in merges.enumerated() {
            let key = UInt64(UInt32(bitPattern: merge.left)) << 32 | UInt64(UInt32(bitPattern: merge.right))
            var slot = Int((key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while keys[slot] != Self.emptyKey && keys[slot] != key { slot = (slot + 1) & (capacity - 1) }
            if keys[slot] == key { continue }  // a repeated pair keeps its first (lowest) rank
            keys[slot] = key
            values[slot] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: merge.merged))
        }
        self.keys = keys
        self.values = values
        self.shift = shift
    }

    /// Read access for the hot loop (valid while the table lives).
    func withLookup<Result>(_ body: (MergeLookup) throws -> Result) rethrows -> Result {
        try keys.withUnsafeBufferPointer { keys in
            try values.withUnsafeBufferPointer { values in
                try body(MergeLookup(keys: keys.baseAddress!, values: values.baseAddress!,
                                     mask: keys.count - 1, shift: shift))
            }
        }
    }
}

/// Unsafe read view of a `MergeTable`.
struct MergeLookup {
    let keys: UnsafePointer<UInt64>
    let values: UnsafePointer<UInt64>
    let mask: Int
    let shift: UInt64

    /// The rank and merged id of the pair, or rank `MergeTable.noRank`.
    @inline(__always)
    func find(_ left: Int32, _ right: Int32) -> (rank: Int32, merged: Int32) {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var slot = Int((key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let stored = keys[slot]
            if stored == key {
                let value = values[slot]
                return (Int32(truncatingIfNeeded: value >> 32), Int32(truncatingIfNeeded: value))
            }
            if stored == UInt64.max { return (MergeTable.noRank, -1) }
            slot = (slot + 1) & mask
        }
    }
}
