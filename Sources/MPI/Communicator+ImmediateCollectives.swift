import CMPI

/// Non-blocking collectives: each returns a `Request` that keeps its `MPIBuffer`s
/// alive and unmoved until it completes. Every rank of the communicator must
/// start the same collectives in the same order (blocking and non-blocking ones
/// count alike) with matching counts and roots. A collective progresses while
/// its request is tested or waited for, so wait for it (`wait(timeout:)` gives
/// up when a rank never joins) rather than leaving it pending while computing.
extension Communicator {
    /// Starts broadcasting the elements of `buffer` in `range` (all when nil)
    /// from `root` to every rank, in place (`MPI_Ibcast`). Every rank's range
    /// must have the root's count; do not touch it until the request completes.
    public func immediateBroadcast<T: MPIDatatypeConvertible>(_ buffer: MPIBuffer<T>, range: Range<Int>? = nil,
                                                              root: Int) throws -> Request {
        let datatype = try T.checkedDatatype("MPI_Ibcast")
        let elements = try buffer.slice(range, "MPI_Ibcast")
        let count = try mpiInt(elements.count, "element count", "MPI_Ibcast")
        let mpiRoot = try mpiInt(root, "root rank", "MPI_Ibcast")
        var request: MPI_Request? = MPI_REQUEST_NULL
        try environment.check("MPI_Ibcast") {
            MPI_Ibcast(elements.baseAddress, count, datatype.handle, mpiRoot, handle, &request)
        }
        return Request(handle: request, kind: .collective, communicator: self, retaining: [buffer],
                       operation: "MPI_Ibcast",
                       label: "broadcast of \(elements.count) \(datatype.name) from rank \(root) over \(size) ranks")
    }

    /// Starts reducing `source` element-wise with `op` over every rank into the
    /// root's `result` (`MPI_Ireduce`). The root passes a `result` with as many
    /// elements as `source`; the other ranks pass nil. Do not write `source` or
    /// read `result` until the request completes.
    public func immediateReduce<T: MPIDatatypeConvertible>(_ source: MPIBuffer<T>, into result: MPIBuffer<T>?,
                                                           op: ReductionOperation, root: Int) throws -> Request {
        let datatype = try T.checkedDatatype("MPI_Ireduce")
        let count = try mpiInt(source.count, "element count", "MPI_Ireduce")
        let mpiRoot = try mpiInt(root, "root rank", "MPI_Ireduce")
        if rank == root {
            guard let result, result.count == source.count else {
                throw MPIError.refused("MPI_Ireduce", "the root needs a result buffer of \(source.count) elements, got \(result.map { "\($0.count)" } ?? "none")")
            }
        }
        let target = rank == root ? result : nil
        var request: MPI_Request? = MPI_REQUEST_NULL
        try environment.check("MPI_Ireduce") {
            MPI_Ireduce(source.storage.baseAddress, target?.storage.baseAddress, count, datatype.handle, op.handle,
                        mpiRoot, handle, &request)
        }
        return Request(handle: request, kind: .collective, communicator: self,
                       retaining: [source] + (target.map { [$0] } ?? []), operation: "MPI_Ireduce",
                       label: "reduce (\(op)) of \(source.count) \(datatype.name) to rank \(root) over \(size) ranks")
    }

    /// Starts gathering the same number of elements, `source`, from every rank
    /// into the root's `result`, in rank order (`MPI_Igather`). The root passes a
    /// `result` of `size * source.count` elements; the other ranks pass nil.
    public func immediateGather<T: MPIDatatypeConvertible>(_ source: MPIBuffer<T>, into result: MPIBuffer<T>?,
                                                           root: Int) throws -> Request {
        let datatype = try T.checkedDatatype("MPI_Igather")
        let count = try mpiInt(source.count, "element count", "MPI_Igather")
        let mpiRoot = try mpiInt(root, "root rank", "MPI_Igather")
        if rank == root {
            guard let result, result.count == source.count * size else {
                throw MPIError.refused("MPI_Igather", "the root needs a result buffer of \(size) × \(source.count) elements, got \(result.map { "\($0.count)" } ?? "none")")
            }
        }
        let target = rank == root ? result : nil
        var request: MPI_Request? = MPI_REQUEST_NULL
        try environment.check("MPI_Igather") {
            MPI_Igather(source.storage.baseAddress, count, datatype.handle,
                        target?.storage.baseAddress, count, datatype.handle, mpiRoot, handle, &request)
        }
        return Request(handle: request, kind: .collective, communicator: self,
                       retaining: [source] + (target.map { [$0] } ?? []), operation: "MPI_Igather",
                       label: "gather of \(source.count) \(datatype.name) per rank to rank \(root) over \(size) ranks")
    }

    /// Starts gathering the same number of elements, `source`, from every rank
    /// into every rank's `result` of `size * source.count` elements, in rank
    /// order (`MPI_Iallgather`).
    public func immediateAllGather<T: MPIDatatypeConvertible>(_ source: MPIBuffer<T>, into result: MPIBuffer<T>) throws -> Request {
        let datatype = try T.checkedDatatype("MPI_Iallgather")
        let count = try mpiInt(source.count, "element count", "MPI_Iallgather")
        guard result.count == source.count * size else {
            throw MPIError.refused("MPI_Iallgather", "the result buffer needs \(size) × \(source.count) elements, got \(result.count)")
        }
        var request: MPI_Request? = MPI_REQUEST_NULL
        try environment.check("MPI_Iallgather") {
            MPI_Iallgather(source.storage.baseAddress, count, datatype.handle,
                           result.storage.baseAddress, count, datatype.handle, handle, &request)
        }
        return Request(handle: request, kind: .collective, communicator: self, retaining: [source, result],
                       operation: "MPI_Iallgather",
                       label: "all-gather of \(source.count) \(datatype.name) per rank over \(size) ranks")
    }

    /// Starts a barrier (`MPI_Ibarrier`): the request completes once every rank
    /// of the communicator has started it.
    public func immediateBarrier() throws -> Request {
        var request: MPI_Request? = MPI_REQUEST_NULL
        try environment.check("MPI_Ibarrier") { MPI_Ibarrier(handle, &request) }
        return Request(handle: request, kind: .collective, communicator: self, retaining: [],
                       operation: "MPI_Ibarrier", label: "barrier over \(size) ranks")
    }
}
