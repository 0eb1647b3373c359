/// The workspace's min-heap of merge candidates, `rank << 32 | position`: the smallest key is
/// the best rank, the leftmost position on a tie.
extension EncodingWorkspace {
    @inline(__always)
    func pushHeap(_ key: UInt64) {
        heap.append(key)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Adds the candidate merge of the pair at `position`.
    @inline(__always)
    func pushHeap(rank: Int32, position: Int32) {
        pushHeap(UInt64(UInt32(rank)) << 32 | UInt64(UInt32(position)))
    }

    /// Removes and returns the best candidate; the heap must not be empty.
    @inline(__always)
    func popHeapCandidate() -> (rank: Int32, position: Int) {
        let entry = popHeapMinimum()
        return (Int32(truncatingIfNeeded: entry >> 32), Int(truncatingIfNeeded: entry & 0xFFFF_FFFF))
    }

    /// Removes and returns the smallest key; the heap must not be empty.
    @inline(__always)
    func popHeapMinimum() -> UInt64 {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { break }
                let smaller = left + 1 < heap.count && heap[left + 1] < heap[left] ? left + 1 : left
                guard heap[smaller] < heap[parent] else { break }
                heap.swapAt(smaller, parent)
                parent = smaller
            }
        }
        return top
    }

    /// Merges the linked symbols `0..<count` through the heap until no candidate is left.
    /// `pairRank(p)` is the rank of the pair that starts at symbol p (`noRank` when it has
    /// none or p is the last symbol); `merge(p, rank)` merges that pair into p when it still
    /// has `rank` and says whether it did (a candidate goes stale when a neighbour changes).
    @inline(__always)
    func mergeLinkedSymbols(count: Int, pairRank: (Int32) -> Int32, merge: (Int, Int32) -> Bool) {
        let previous = ranks
        heap.removeAll(keepingCapacity: true)
        @inline(__always) func push(_ position: Int32) {
            let rank = pairRank(position)
            guard rank != MergeTable.noRank else { return }
            pushHeap(rank: rank, position: position)
        }

        linkSymbols(count: count)
        for i in 0..<(count - 1) { push(Int32(i)) }
        while !heap.isEmpty {
            let (rank, position) = popHeapCandidate()
            guard merge(position, rank) else { continue }
            unlinkSymbol(after: position)
            if previous[position] >= 0 { push(previous[position]) }
            push(Int32(position))
        }
    }
}
