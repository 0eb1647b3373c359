import CMPI

/// Blocking collectives. Every rank of the communicator must call the same
/// collectives in the same order with matching counts; an argument refused on
/// one rank only (a wrong count at the root) leaves the other ranks waiting,
/// which is why a failing rank should abort the job.
extension Communicator {
    // MARK: Broadcast

    /// Replaces `values` on every rank with the root's `values` (`MPI_Bcast`,
    /// in place). Every rank's array must already have the root's count.
    public func broadcast<T: MPIDatatypeConvertible>(_ values: inout [T], root: Int) throws {
        try values.withUnsafeMutableBufferPointer { try broadcast($0, root: root) }
    }

    /// Broadcasts the elements of `buffer` in `range` (all when nil) from `root` (`MPI_Bcast`).
    public func broadcast<T: MPIDatatypeConvertible>(_ buffer: MPIBuffer<T>, range: Range<Int>? = nil, root: Int) throws {
        try broadcast(try buffer.slice(range, "MPI_Bcast"), root: root)
    }

    /// Broadcasts the memory at `values` from `root` (`MPI_Bcast`, in place).
    public func broadcast<T: MPIDatatypeConvertible>(_ values: UnsafeMutableBufferPointer<T>, root: Int) throws {
        let datatype = try T.checkedDatatype("MPI_Bcast")
        let count = try mpiInt(values.count, "element count", "MPI_Bcast")
        let mpiRoot = try mpiInt(root, "root rank", "MPI_Bcast")
        try environment.check("MPI_Bcast") { MPI_Bcast(values.baseAddress, count, datatype.handle, mpiRoot, handle) }
    }

    /// Returns the root's `value` on every rank (`MPI_Bcast` of one element).
    public func broadcast<T: MPIDatatypeConvertible>(_ value: T, root: Int) throws -> T {
        var values = [value]
        try broadcast(&values, root: root)
        return values[0]
    }

    /// Returns the root's `values`, of any length, on every rank: the count
    /// first, then the elements (two `MPI_Bcast`). Other ranks' `values` are ignored.
    public func broadcastVariable<T: MPIDatatypeConvertible>(_ values: [T], root: Int) throws -> [T] {
        let count = try broadcast(Int64(values.count), root: root)
        var result = rank == root ? values : [T](unsafeUninitializedCapacity: Int(count)) { _, initialized in
            initialized = Int(count)
        }
        try broadcast(&result, root: root)
        return result
    }

    // MARK: All-reduce and reduce

    /// Reduces `values` element-wise with `op` over every rank and leaves the
    /// result in `values` on every rank (`MPI_Allreduce` with `MPI_IN_PLACE`).
    public func allReduce<T: MPIDatatypeConvertible>(_ values: inout [T], op: ReductionOperation) throws {
        try values.withUnsafeMutableBufferPointer { try allReduce($0, op: op) }
    }

    /// Returns the element-wise reduction of `values` with `op` over every rank
    /// (`MPI_Allreduce`, out of place).
    public func allReduce<T: MPIDatatypeConvertible>(_ values: [T], op: ReductionOperation) throws -> [T] {
        try values.withUnsafeBufferPointer { source in
            try [T](unsafeUninitializedCapacity: source.count) { result, initialized in
                try allReduce(from: source, into: result, op: op)
                initialized = source.count
            }
        }
    }

    /// Returns the reduction of one `value` with `op` over every rank (`MPI_Allreduce`).
    public func allReduce<T: MPIDatatypeConvertible>(_ value: T, op: ReductionOperation) throws -> T {
        try allReduce([value], op: op)[0]
    }

    /// Reduces the elements of `buffer` in `range` (all when nil) in place over
    /// every rank (`MPI_Allreduce` with `MPI_IN_PLACE`).
    public func allReduce<T: MPIDatatypeConvertible>(_ buffer: MPIBuffer<T>, range: Range<Int>? = nil,
                                                     op: ReductionOperation) throws {
        try allReduce(try buffer.slice(range, "MPI_Allreduce"), op: op)
    }

    /// Reduces the memory at `values` in place over every rank (`MPI_Allreduce`
    /// with `MPI_IN_PLACE`), for example a model's contiguous gradient storage.
    public func allReduce<T: MPIDatatypeConvertible>(_ values: UnsafeMutableBufferPointer<T>, op: ReductionOperation) throws {
        let datatype = try T.checkedDatatype("MPI_Allreduce")
        let count = try mpiInt(values.count, "element count", "MPI_Allreduce")
        try environment.check("MPI_Allreduce") {
            MPI_Allreduce(MPI_IN_PLACE, values.baseAddress, count, datatype.handle, op.handle, handle)
        }
    }

    /// Reduces `source` over every rank into `result` (`MPI_Allreduce`, out of
    /// place); both must have the same count.
    public func allReduce<T: MPIDatatypeConvertible>(from source: UnsafeBufferPointer<T>,
                                                     into result: UnsafeMutableBufferPointer<T>,
                                                     op: ReductionOperation) throws {
        let datatype = try T.checkedDatatype("MPI_Allreduce")
        guard source.count == result.count else {
            throw MPIError.refused("MPI_Allreduce", "source has \(source.count) elements but result has \(result.count)")
        }
        let count = try mpiInt(source.count, "element count", "MPI_Allreduce")
        try environment.check("MPI_Allreduce") {
            MPI_Allreduce(source.baseAddress, result.baseAddress, count, datatype.handle, op.handle, handle)
        }
    }

    /// Reduces `values` element-wise with `op` over every rank to `root` (`MPI_Reduce`).
    ///
    /// - Returns: the reduction on the root, nil on the other ranks.
    public func reduce<T: MPIDatatypeConvertible>(_ values: [T], op: ReductionOperation, root: Int) throws -> [T]? {
        let datatype = try T.checkedDatatype("MPI_Reduce")
        let count = try mpiInt(values.count, "element count", "MPI_Reduce")
        let mpiRoot = try mpiInt(root, "root rank", "MPI_Reduce")
        var result: [T]? = rank == root ? values : nil
        try values.withUnsafeBufferPointer { source in
            if result != nil {
                try result!.withUnsafeMutableBufferPointer { target in
                    try environment.check("MPI_Reduce") {
                        MPI_Reduce(source.baseAddress, target.baseAddress, count, datatype.handle, op.handle, mpiRoot, handle)
                    }
                }
            } else {
                try environment.check("MPI_Reduce") {
                    MPI_Reduce(source.baseAddress, nil, count, datatype.handle, op.handle, mpiRoot, handle)
                }
            }
        }
        return result
    }

    /// Reduces one `value` with `op` over every rank to `root` (`MPI_Reduce`).
    ///
    /// - Returns: the reduction on the root, nil on the other ranks.
    public func reduce<T: MPIDatatypeConvertible>(_ value: T, op: ReductionOperation, root: Int) throws -> T? {
        try reduce([value], op: op, root: root)?[0]
    }

    // MARK: Gather

    /// Gathers the same number of `values` from every rank to `root`, in rank
    /// order (`MPI_Gather`).
    ///
    /// - Returns: on the root, `size * values.count` elements (rank 0's first);
    ///   nil on the other ranks.
    public func gather<T: MPIDatatypeConvertible>(_ values: [T], root: Int) throws -> [T]? {
        let datatype = try T.checkedDatatype("MPI_Gather")
        let count = try mpiInt(values.count, "element count", "MPI_Gather")
        let mpiRoot = try mpiInt(root, "root rank", "MPI_Gather")
        let isRoot = rank == root
        let total = isRoot ? values.count * size : 0
        var result = [T](unsafeUninitializedCapacity: total) { _, initialized in initialized = total }
        try values.withUnsafeBufferPointer { source in
            try result.withUnsafeMutableBufferPointer { target in
                try environment.check("MPI_Gather") {
                    MPI_Gather(source.baseAddress, count, datatype.handle,
                               isRoot ? target.baseAddress : nil, count, datatype.handle, mpiRoot, handle)
                }
            }
        }
        return isRoot ? result : nil
    }

    /// Gathers one `value` from every rank to `root` (`MPI_Gather`).
    ///
    /// - Returns: on the root, one value per rank in rank order; nil elsewhere.
    public func gather<T: MPIDatatypeConvertible>(_ value: T, root: Int) throws -> [T]? {
        try gather([value], root: root)
    }

    /// Gathers `values` of any length from every rank to `root`: the counts
    /// first (`MPI_Gather`), then the elements (`MPI_Gatherv`).
    ///
    /// - Returns: on the root, each rank's values, indexed by rank; nil elsewhere.
    public func gatherVariable<T: MPIDatatypeConvertible>(_ values: [T], root: Int) throws -> [[T]]? {
        let datatype = try T.checkedDatatype("MPI_Gatherv")
        let count = try mpiInt(values.count, "element count", "MPI_Gatherv")
        let mpiRoot = try mpiInt(root, "root rank", "MPI_Gatherv")
        guard let counts = try gather(count, root: root) else {
            try values.withUnsafeBufferPointer { source in
                try environment.check("MPI_Gatherv") {
                    MPI_Gatherv(source.baseAddress, count, datatype.handle, nil, nil, nil,
                                datatype.handle, mpiRoot, handle)
                }
            }
            return nil
        }
        return try receiveVariable(values, counts: counts, "MPI_Gatherv") { source, target, offsets in
            MPI_Gatherv(source, count, datatype.handle, target, counts, offsets, datatype.handle, mpiRoot, handle)
        }
    }

    /// Gathers the same number of `values` from every rank to every rank, in
    /// rank order (`MPI_Allgather`).
    ///
    /// - Returns: `size * values.count` elements, rank 0's first.
    public func allGather<T: MPIDatatypeConvertible>(_ values: [T]) throws -> [T] {
        let datatype = try T.checkedDatatype("MPI_Allgather")
        let count = try mpiInt(values.count, "element count", "MPI_Allgather")
        let total = values.count * size
        var result = [T](unsafeUninitializedCapacity: total) { _, initialized in initialized = total }
        try values.withUnsafeBufferPointer { source in
            try result.withUnsafeMutableBufferPointer { target in
                try environment.check("MPI_Allgather") {
                    MPI_Allgather(source.baseAddress, count, datatype.handle,
                                  target.baseAddress, count, datatype.handle, handle)
                }
            }
        }
        return result
    }

    /// Gathers one `value` from every rank to every rank (`MPI_Allgather`).
    ///
    /// - Returns: one value per rank, in rank order.
    public func allGather<T: MPIDatatypeConvertible>(_ value: T) throws -> [T] {
        try allGather([value])
    }

    /// Gathers `values` of any length from every rank to every rank: the counts
    /// first (`MPI_Allgather`), then the elements (`MPI_Allgatherv`).
    ///
    /// - Returns: each rank's values, indexed by rank.
    public func allGatherVariable<T: MPIDatatypeConvertible>(_ values: [T]) throws -> [[T]] {
        let datatype = try T.checkedDatatype("MPI_Allgatherv")
        let count = try mpiInt(values.count, "element count", "MPI_Allgatherv")
        let counts = try allGather(count)
        return try receiveVariable(values, counts: counts, "MPI_Allgatherv") { source, target, offsets in
            MPI_Allgatherv(source, count, datatype.handle, target, counts, offsets, datatype.handle, handle)
        }
    }

    // MARK: Scatter

    /// Sends consecutive blocks of `countPerRank` of the root's `values` to each
    /// rank in rank order (`MPI_Scatter`). Only the root's `values` are read;
    /// they must hold `size * countPerRank` elements.
    ///
    /// - Returns: this rank's block of `countPerRank` elements.
    public func scatter<T: MPIDatatypeConvertible>(_ values: [T], countPerRank: Int, root: Int) throws -> [T] {
        let datatype = try T.checkedDatatype("MPI_Scatter")
        let count = try mpiInt(countPerRank, "count per rank", "MPI_Scatter")
        let mpiRoot = try mpiInt(root, "root rank", "MPI_Scatter")
        let isRoot = rank == root
        if isRoot && values.count != countPerRank * size {
            throw MPIError.refused("MPI_Scatter", "the root has \(values.count) values but \(size) ranks × \(countPerRank) are needed")
        }
        let received = Swift.max(countPerRank, 0)
        var result = [T](unsafeUninitializedCapacity: received) { _, initialized in initialized = received }
        try values.withUnsafeBufferPointer { source in
            try result.withUnsafeMutableBufferPointer { target in
                try environment.check("MPI_Scatter") {
                    MPI_Scatter(isRoot ? source.baseAddress : nil, count, datatype.handle,
                                target.baseAddress, count, datatype.handle, mpiRoot, handle)
                }
            }
        }
        return result
    }

    // MARK: Helpers

    /// Exclusive prefix sums of `counts` as MPI displacements, refusing totals
    /// that do not fit MPI's int.
    private func displacements(_ counts: [Int32], _ operation: StaticString) throws -> [Int32] {
        var offsets = [Int32]()
        offsets.reserveCapacity(counts.count)
        var running = 0
        for count in counts {
            offsets.append(try mpiInt(running, "displacement", operation))
            running += Int(count)
        }
        _ = try mpiInt(running, "total element count", operation)
        return offsets
    }

    /// The receiving half of a variable-length gather: `receive(source, target, offsets)`
    /// (an `MPI_Gatherv` or `MPI_Allgatherv`) puts every rank's `counts[r]` elements back to
    /// back at `target`; the result cuts them apart by rank.
    private func receiveVariable<T>(_ values: [T], counts: [Int32], _ operation: StaticString,
                                    _ receive: (UnsafePointer<T>?, UnsafeMutablePointer<T>?, [Int32]) -> Int32) throws -> [[T]] {
        let offsets = try displacements(counts, operation)
        let total = Int(offsets.last ?? 0) + Int(counts.last ?? 0)
        var flat = [T](unsafeUninitializedCapacity: total) { _, initialized in initialized = total }
        try values.withUnsafeBufferPointer { source in
            try flat.withUnsafeMutableBufferPointer { target in
                try environment.check(operation) { receive(source.baseAddress, target.baseAddress, offsets) }
            }
        }
        return split(flat, counts: counts, offsets: offsets)
    }

    /// Cuts `flat` into one array per rank.
    private func split<T>(_ flat: [T], counts: [Int32], offsets: [Int32]) -> [[T]] {
        zip(counts, offsets).map { count, offset in Array(flat[Int(offset) ..< Int(offset) + Int(count)]) }
    }
}
