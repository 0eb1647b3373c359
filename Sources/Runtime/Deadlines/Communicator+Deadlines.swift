import MPI

/// The job's collectives with a deadline: each starts the non-blocking MPI collective and
/// waits for it with `CollectiveDeadline.wait`, so a rank that never joins (stopped, or its
/// host gone without the connection closing) ends in a `CollectiveTimeoutError` instead of
/// a hang. Like any collective, every rank of the communicator calls the same ones in the
/// same order; `name` names the communicator and `purpose` the operation in messages
/// ("DDK decision broadcast at step 40"), built only when the deadline passes.
extension Communicator {
    /// Replaces `values` on every rank with the root's `values` (`MPI_Ibcast`); every rank's
    /// array must already have the root's count.
    public func broadcast<T: MPIDatatypeConvertible>(_ values: inout [T], root: Int, within deadline: CollectiveDeadline,
                                                     on name: String, for purpose: @autoclosure () -> String) throws {
        let buffer = MPIBuffer(values)
        try deadline.wait(for: try immediateBroadcast(buffer, root: root), on: self, named: name, purpose: purpose)
        values = buffer.array
    }

    /// Returns the root's `value` on every rank (`MPI_Ibcast` of one element).
    public func broadcast<T: MPIDatatypeConvertible>(_ value: T, root: Int, within deadline: CollectiveDeadline,
                                                     on name: String, for purpose: @autoclosure () -> String) throws -> T {
        var values = [value]
        try broadcast(&values, root: root, within: deadline, on: name, for: purpose())
        return values[0]
    }

    /// Returns the root's `values`, of any length, on every rank: the count first, then the
    /// elements (two `MPI_Ibcast`). Other ranks' `values` are ignored.
    public func broadcastVariable<T: MPIDatatypeConvertible>(_ values: [T], root: Int, within deadline: CollectiveDeadline,
                                                             on name: String, for purpose: @autoclosure () -> String) throws -> [T] {
        let count = try broadcast(Int64(values.count), root: root, within: deadline, on: name, for: purpose() + " (length)")
        let buffer = rank == root ? MPIBuffer(values) : MPIBuffer<T>(zeroedCount: Int(count))
        try deadline.wait(for: try immediateBroadcast(buffer, root: root), on: self, named: name, purpose: purpose)
        return buffer.array
    }

    /// Reduces `values` element-wise with `op` over every rank to `root` (`MPI_Ireduce`).
    ///
    /// - Returns: the reduction on the root, nil on the other ranks.
    public func reduce<T: MPIDatatypeConvertible>(_ values: [T], op: ReductionOperation, root: Int,
                                                  within deadline: CollectiveDeadline, on name: String,
                                                  for purpose: @autoclosure () -> String) throws -> [T]? {
        let source = MPIBuffer(values)
        let result = rank == root ? MPIBuffer(values) : nil
        try deadline.wait(for: try immediateReduce(source, into: result, op: op, root: root), on: self, named: name,
                          purpose: purpose)
        return result?.array
    }

    /// Gathers the same number of `values` from every rank to `root`, in rank order (`MPI_Igather`).
    ///
    /// - Returns: on the root, `size * values.count` elements (rank 0's first); nil elsewhere.
    public func gather<T: MPIDatatypeConvertible>(_ values: [T], root: Int, within deadline: CollectiveDeadline,
                                                  on name: String, for purpose: @autoclosure () -> String) throws -> [T]? {
        let source = MPIBuffer(values)
        let result = rank == root ? MPIBuffer<T>(zeroedCount: values.count * size) : nil
        try deadline.wait(for: try immediateGather(source, into: result, root: root), on: self, named: name, purpose: purpose)
        return result?.array
    }

    /// Gathers one `value` from every rank to `root` (`MPI_Igather`).
    ///
    /// - Returns: on the root, one value per rank in rank order; nil elsewhere.
    public func gather<T: MPIDatatypeConvertible>(_ value: T, root: Int, within deadline: CollectiveDeadline,
                                                  on name: String, for purpose: @autoclosure () -> String) throws -> [T]? {
        try gather([value], root: root, within: deadline, on: name, for: purpose())
    }

    /// Gathers `values` of any length from every rank to `root`: the lengths to every rank
    /// (`MPI_Iallgather`), then the values padded to the longest (`MPI_Igather`).
    ///
    /// - Returns: on the root, each rank's values, indexed by rank; nil elsewhere.
    public func gatherVariable<T: MPIDatatypeConvertible>(_ values: [T], root: Int, within deadline: CollectiveDeadline,
                                                          on name: String, for purpose: @autoclosure () -> String) throws -> [[T]]? {
        let counts = try allGather([Int64(values.count)], within: deadline, on: name, for: purpose() + " (lengths)")
        let width = Int(counts.max() ?? 0)
        let padded = MPIBuffer<T>(zeroedCount: width)
        _ = padded.storage.update(fromContentsOf: values)
        let flat = rank == root ? MPIBuffer<T>(zeroedCount: width * size) : nil
        try deadline.wait(for: try immediateGather(padded, into: flat, root: root), on: self, named: name, purpose: purpose)
        guard let flat else { return nil }
        return counts.indices.map { member in Array(flat[member * width ..< member * width + Int(counts[member])]) }
    }

    /// Gathers the same number of `values` from every rank to every rank, in rank order (`MPI_Iallgather`).
    ///
    /// - Returns: `size * values.count` elements, rank 0's first.
    public func allGather<T: MPIDatatypeConvertible>(_ values: [T], within deadline: CollectiveDeadline,
                                                     on name: String, for purpose: @autoclosure () -> String) throws -> [T] {
        let source = MPIBuffer(values)
        let result = MPIBuffer<T>(zeroedCount: values.count * size)
        try deadline.wait(for: try immediateAllGather(source, into: result), on: self, named: name, purpose: purpose)
        return result.array
    }

    /// Returns once every rank of the communicator has called it (`MPI_Ibarrier`).
    public func barrier(within deadline: CollectiveDeadline, on name: String, for purpose: @autoclosure () -> String) throws {
        try deadline.wait(for: try immediateBarrier(), on: self, named: name, purpose: purpose)
    }
}
