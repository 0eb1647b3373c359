// Byte-pair encoding of one pre-token: start from one token per byte, then repeatedly merge
// the adjacent pair with the lowest merge rank (the leftmost one on a tie) until no adjacent
// pair has a merge.
//
// Legend:
//   n        number of symbols (tokens) in the pre-token, shrinking as pairs merge
//   s[i]     token id of symbol i
//   rank[i]  merge rank of the pair (s[i], s[i+1]); noRank when it has none
//
// Short pre-tokens (almost all of them) use a flat scan, O(n²); long ones (runs of spaces,
// long words) a min-heap over pair positions with a linked list of symbols, O(n log n).

/// Pre-tokens of at most this many bytes use the flat scan.
private let flatScanLimit = 48

extension EncodingWorkspace {
    /// Encodes `count` bytes at `bytes` (one pre-token that starts at byte `offset` of the
    /// text) and appends its token ids to `output`. `byteTokens[b]` is the token of byte b
    /// (-1 when the vocabulary has none, which throws `unencodableByte`).
    @inline(__always)
    func encodePreToken(_ bytes: UnsafePointer<UInt8>, count: Int, offset: Int,
                        byteTokens: UnsafePointer<Int32>, merges: MergeLookup,
                        into output: inout [Int32]) throws {
        reserveScratch(count)
        let s = symbols
        for i in 0..<count {
            let id = byteTokens[Int(bytes[i])]
            guard id >= 0 else { throw TokenizerError.unencodableByte(byte: bytes[i], offset: offset + i) }
            s[i] = id
        }
        if count <= flatScanLimit {
            let n = mergeByFlatScan(count: count, merges: merges)
            output.append(contentsOf: UnsafeBufferPointer(start: s, count: n))
        } else {
            mergeByHeap(count: count, merges: merges, into: &output)
        }
    }

    /// Merges `symbols[0..<n]` in place; returns the final number of symbols.
    @inline(__always)
    private func mergeByFlatScan(count: Int, merges: MergeLookup) -> Int {
        let s = symbols, rank = ranks, result = merged
        var n = count
        if n < 2 { return n }
        for i in 0..<(n - 1) { (rank[i], result[i]) = merges.find(s[i], s[i + 1]) }
        while n > 1 {
            let at = bestPair(count: n)
            if at < 0 { break }
            s[at] = result[at]
            removeSymbol(after: at, count: n)
            n -= 1
            if at > 0 { (rank[at - 1], result[at - 1]) = merges.find(s[at - 1], s[at]) }
            if at < n - 1 { (rank[at], result[at]) = merges.find(s[at], s[at + 1]) }
        }
        return n
    }

    /// Merges `symbols[0..<n]` with a heap of candidate pairs and appends the result.
    private func mergeByHeap(count: Int, merges: MergeLookup, into output: inout [Int32]) {
        let s = symbols
        let next = merged  // reused as the next links of the symbol list
        mergeLinkedSymbols(count: count, pairRank: { position in
            let right = next[Int(position)]
            guard right >= 0 else { return MergeTable.noRank }
            return merges.find(s[Int(position)], s[Int(right)]).rank
        }, merge: { position, rank in
            guard s[position] >= 0 else { return false }        // merged into its left neighbour
            let right = Int(next[position])
            guard right >= 0 else { return false }
            let (currentRank, mergedID) = merges.find(s[position], s[right])
            guard currentRank == rank else { return false }     // stale: a neighbour changed
            s[position] = mergedID
            s[right] = -1
            return true
        })
        var position: Int32 = 0
        while position >= 0 {
            output.append(s[Int(position)])
            position = next[Int(position)]
        }
    }
}
