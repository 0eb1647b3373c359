/// The symbol arrays both merge algorithms (byte-level BPE and SentencePiece BPE) share.
///
/// Flat scan: `symbols[i]` is symbol i, `ranks[i]` the rank of the pair (i, i+1) and
/// `merged[i]` what it merges into. Heap: `ranks` and `merged` are reused as the previous
/// and next links of a doubly linked list of symbols (-1 at the ends).
extension EncodingWorkspace {
    /// The leftmost pair of the lowest rank among the first `count - 1` pairs, or -1 when
    /// none has a merge.
    @inline(__always)
    func bestPair(count: Int) -> Int {
        let rank = ranks
        var best = MergeTable.noRank
        var at = -1
        for i in 0..<(count - 1) where rank[i] < best {
            best = rank[i]
            at = i
        }
        return at
    }

    /// Closes the gap after the pair at `at` merged: symbols and pairs `at + 2 ..< count`
    /// move one place left.
    @inline(__always)
    func removeSymbol(after at: Int, count: Int) {
        let s = symbols, rank = ranks, result = merged
        var j = at + 1
        while j < count - 1 {
            s[j] = s[j + 1]
            rank[j] = rank[j + 1]
            result[j] = result[j + 1]
            j += 1
        }
    }

    /// Links symbols `0..<count` in order.
    @inline(__always)
    func linkSymbols(count: Int) {
        let previous = ranks, next = merged
        for i in 0..<count {
            previous[i] = Int32(i - 1)
            next[i] = i + 1 < count ? Int32(i + 1) : -1
        }
    }

    /// Takes the symbol after `position` (just merged into it) out of the list.
    @inline(__always)
    func unlinkSymbol(after position: Int) {
        let previous = ranks, next = merged
        let afterRight = next[Int(next[position])]
        next[position] = afterRight
        if afterRight >= 0 { previous[Int(afterRight)] = Int32(position) }
    }
}
