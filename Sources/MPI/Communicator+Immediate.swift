import CMPI

/// Non-blocking ("immediate") operations: each returns a `Request` that keeps
/// its `MPIBuffer` alive and unmoved until it completes. Complete every request
/// (`wait`, `wait(timeout:)`, `test`, `Request.waitAll`).
extension Communicator {
    /// Starts sending the elements of `buffer` in `range` (all when nil) to
    /// `destination` with `tag` (`MPI_Isend`). Do not write those elements
    /// until the request completes.
    public func immediateSend<T: MPIDatatypeConvertible>(_ buffer: MPIBuffer<T>, range: Range<Int>? = nil,
                                                         to destination: Int, tag: Int = 0) throws -> Request {
        let datatype = try T.checkedDatatype("MPI_Isend")
        let elements = try buffer.slice(range, "MPI_Isend")
        let count = try mpiInt(elements.count, "element count", "MPI_Isend")
        let mpiDestination = try mpiInt(destination, "destination rank", "MPI_Isend")
        let mpiTag = try mpiInt(tag, "tag", "MPI_Isend")
        var request: MPI_Request? = MPI_REQUEST_NULL
        try environment.check("MPI_Isend") {
            MPI_Isend(elements.baseAddress, count, datatype.handle, mpiDestination, mpiTag, handle, &request)
        }
        return Request(handle: request, kind: .send, communicator: self, retaining: [buffer], operation: "MPI_Isend",
                       label: "send of \(elements.count) \(datatype.name) to rank \(destination) with tag \(tag) (communicator of \(size))")
    }

    /// Starts sending a copy of `values` to `destination` with `tag`
    /// (`MPI_Isend` on a new `MPIBuffer` that the request keeps alive).
    public func immediateSend<T: MPIDatatypeConvertible>(_ values: [T], to destination: Int, tag: Int = 0) throws -> Request {
        try immediateSend(MPIBuffer(values), to: destination, tag: tag)
    }

    /// Starts receiving a message of at most `range.count` elements into the
    /// elements of `buffer` in `range` (all when nil) (`MPI_Irecv`). The
    /// completed request's `status` gives the sender, tag and element count.
    public func immediateReceive<T: MPIDatatypeConvertible>(into buffer: MPIBuffer<T>, range: Range<Int>? = nil,
                                                            from source: Int? = nil, tag: Int? = nil) throws -> Request {
        let datatype = try T.checkedDatatype("MPI_Irecv")
        let elements = try buffer.slice(range, "MPI_Irecv")
        let count = try mpiInt(elements.count, "element count", "MPI_Irecv")
        let mpiSource = try sourceArgument(source, "MPI_Irecv")
        let mpiTag = try tagArgument(tag, "MPI_Irecv")
        var request: MPI_Request? = MPI_REQUEST_NULL
        try environment.check("MPI_Irecv") {
            MPI_Irecv(elements.baseAddress, count, datatype.handle, mpiSource, mpiTag, handle, &request)
        }
        let from = source.map { "rank \($0)" } ?? "any rank"
        let with = tag.map { "tag \($0)" } ?? "any tag"
        return Request(handle: request, kind: .receive(datatype), communicator: self, retaining: [buffer],
                       operation: "MPI_Irecv",
                       label: "receive of up to \(elements.count) \(datatype.name) from \(from) with \(with) (communicator of \(size))")
    }

    /// Starts an in-place all-reduce of the elements of `buffer` in `range`
    /// (all when nil) with `op` over every rank (`MPI_Iallreduce`, collective:
    /// every rank must start it, in the same order as its other collectives).
    /// Overlap it with computation, calling `test()` now and then to let MPI
    /// progress; after completion every rank holds the reduced values.
    public func immediateAllReduce<T: MPIDatatypeConvertible>(_ buffer: MPIBuffer<T>, range: Range<Int>? = nil,
                                                              op: ReductionOperation) throws -> Request {
        let datatype = try T.checkedDatatype("MPI_Iallreduce")
        let elements = try buffer.slice(range, "MPI_Iallreduce")
        let count = try mpiInt(elements.count, "element count", "MPI_Iallreduce")
        var request: MPI_Request? = MPI_REQUEST_NULL
        try environment.check("MPI_Iallreduce") {
            MPI_Iallreduce(MPI_IN_PLACE, elements.baseAddress, count, datatype.handle, op.handle, handle, &request)
        }
        return Request(handle: request, kind: .collective, communicator: self, retaining: [buffer],
                       operation: "MPI_Iallreduce",
                       label: "all-reduce (\(op)) of \(elements.count) \(datatype.name) over \(size) ranks")
    }
}
