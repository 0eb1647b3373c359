// SentencePiece BPE on one segment of text whose spaces are already "▁": start from one symbol
// per UTF-8 character, then repeatedly merge the adjacent pair whose concatenated text is a
// token with the best score (the leftmost pair on a tie) until no adjacent pair forms a token.
// A remaining symbol without a token (a character the vocabulary lacks) becomes byte tokens.
// This is llama.cpp's llm_tokenizer_spm; any token type may be formed, as there.
//
// Legend:
//   n          number of symbols, shrinking as pairs merge
//   s[i]       token id of symbol i; -1 for a character without a token
//   start[i]   byte offset of symbol i in the segment
//   rank[i]    score rank of the token the pair (i, next) would form; noRank when none
//   result[i]  the id of that token
//
// Short segments (almost all words) use a flat scan, O(n²); long ones (runs without spaces,
// such as Chinese or Japanese sentences) a min-heap over pair positions with a linked list
// of symbols, O(n log n).

/// Segments of at most this many characters use the flat scan.
private let flatScanLimit = 48

/// What merging needs from a SentencePiece vocabulary (valid while the tokenizer lives).
struct SentencePieceLookup {
    let texts: TokenTextLookup
    /// Rank of each token's score: 0 for the best score; equal scores share a rank.
    let scoreRanks: UnsafePointer<Int32>
    /// Token of each byte value (byte fallback).
    let byteTokens: UnsafePointer<Int32>
    /// Token whose text is each byte value alone, -1 where none (spares hashing ASCII).
    let oneByteTokens: UnsafePointer<Int32>

    /// The rank and id of the token whose text is the `length` bytes at `text`.
    @inline(__always)
    func pair(_ text: UnsafePointer<UInt8>, _ length: Int) -> (rank: Int32, id: Int32) {
        let id = texts.id(text, length)
        return id < 0 ? (MergeTable.noRank, -1) : (scoreRanks[Int(id)], id)
    }
}

/// Byte length of a UTF-8 character from its first byte, as llama.cpp reads it: a stray
/// continuation byte counts as one character.
@inline(__always)
func utf8SequenceLength(_ firstByte: UInt8) -> Int {
    switch firstByte >> 4 {
    case 0xC, 0xD: return 2
    case 0xE: return 3
    case 0xF: return 4
    default: return 1
    }
}

extension EncodingWorkspace {
    /// Encodes the `count` bytes at `text` (one segment, spaces already "▁") and appends its
    /// token ids to `output`.
    func encodeSentencePieceSegment(_ text: UnsafePointer<UInt8>, count: Int, vocabulary: SentencePieceLookup,
                                    into output: inout [Int32]) {
        reserveScratch(count + 1)
        let s = symbols, start = offsets
        var n = 0
        var offset = 0
        while offset < count {
            let length = min(utf8SequenceLength(text[offset]), count - offset)
            start[n] = Int32(offset)
            s[n] = length == 1 ? vocabulary.oneByteTokens[Int(text[offset])] : vocabulary.texts.id(text + offset, length)
            n += 1
            offset += length
        }
        start[n] = Int32(count)
        if n <= flatScanLimit {
            n = mergeByFlatScan(text, count: n, vocabulary: vocabulary)
            for i in 0..<n {
                appendSymbol(s[i], text + Int(start[i]), Int(start[i + 1] - start[i]), vocabulary, &output)
            }
        } else {
            mergeByHeap(text, count: n, bytes: count, vocabulary: vocabulary, into: &output)
        }
    }

    /// The symbol's token, or its bytes' tokens when it has none.
    @inline(__always)
    private func appendSymbol(_ id: Int32, _ bytes: UnsafePointer<UInt8>, _ length: Int,
                              _ vocabulary: SentencePieceLookup, _ output: inout [Int32]) {
        if id >= 0 {
            output.append(id)
            return
        }
        for i in 0..<length { output.append(vocabulary.byteTokens[Int(bytes[i])]) }
    }

    /// Merges `symbols[0..<n]` (with `offsets[0...n]`) in place; returns the final count.
    @inline(__always)
    private func mergeByFlatScan(_ text: UnsafePointer<UInt8>, count: Int, vocabulary: SentencePieceLookup) -> Int {
        let s = symbols, start = offsets, rank = ranks, result = merged
        var n = count
        @inline(__always) func pair(_ i: Int) -> (Int32, Int32) {
            vocabulary.pair(text + Int(start[i]), Int(start[i + 2] - start[i]))
        }
        if n < 2 { return n }
        for i in 0..<(n - 1) { (rank[i], result[i]) = pair(i) }
        while n > 1 {
            let at = bestPair(count: n)
            if at < 0 { break }
            s[at] = result[at]
            removeSymbol(after: at, count: n)
            for j in (at + 1)..<n { start[j] = start[j + 1] }
            n -= 1
            if at > 0 { (rank[at - 1], result[at - 1]) = pair(at - 1) }
            if at < n - 1 { (rank[at], result[at]) = pair(at) }
        }
        return n
    }

    /// Merges `n` symbols with a heap of candidate pairs and appends the result.
    private func mergeByHeap(_ text: UnsafePointer<UInt8>, count: Int, bytes: Int, vocabulary: SentencePieceLookup,
                             into output: inout [Int32]) {
        let s = symbols, start = offsets
        let next = merged  // reused as the next links of the symbol list
        let dead = Int32.min
        @inline(__always) func end(_ symbol: Int32) -> Int { symbol >= 0 ? Int(start[Int(symbol)]) : bytes }
        @inline(__always) func pair(_ position: Int) -> (rank: Int32, id: Int32) {
            let right = next[position]
            guard right >= 0 else { return (MergeTable.noRank, -1) }
            let first = Int(start[position])
            return vocabulary.pair(text + first, end(next[Int(right)]) - first)
        }
        mergeLinkedSymbols(count: count, pairRank: { pair(Int($0)).rank }, merge: { position, rank in
            guard s[position] != dead else { return false }     // merged into its left neighbour
            let (currentRank, mergedID) = pair(position)
            guard currentRank == rank else { return false }     // stale: a neighbour changed
            let right = Int(next[position])
            s[position] = mergedID
            s[right] = dead
            return true
        })
        var position: Int32 = 0
        while position >= 0 {
            let first = Int(start[Int(position)])
            appendSymbol(s[Int(position)], text + first, end(next[Int(position)]) - first, vocabulary, &output)
            position = next[Int(position)]
        }
    }
}
