import CMPI

/// Blocking point-to-point messages and probes. A `nil` source or tag means
/// any source (`MPI_ANY_SOURCE`) or any tag (`MPI_ANY_TAG`).
extension Communicator {
    /// Sends `values` to rank `destination` with `tag` (`MPI_Send`); returns
    /// when the values may be reused.
    public func send<T: MPIDatatypeConvertible>(_ values: [T], to destination: Int, tag: Int = 0) throws {
        let datatype = try T.checkedDatatype("MPI_Send")
        try values.withUnsafeBufferPointer { try send(UnsafeRawBufferPointer($0), count: $0.count, datatype, to: destination, tag: tag) }
    }

    /// Sends the elements of `buffer` in `range` (all when nil) to `destination` (`MPI_Send`).
    public func send<T: MPIDatatypeConvertible>(_ buffer: MPIBuffer<T>, range: Range<Int>? = nil,
                                                to destination: Int, tag: Int = 0) throws {
        let datatype = try T.checkedDatatype("MPI_Send")
        let elements = try buffer.slice(range, "MPI_Send")
        try send(UnsafeRawBufferPointer(elements), count: elements.count, datatype, to: destination, tag: tag)
    }

    /// Sends the elements at `values` to `destination` (`MPI_Send`).
    public func send<T: MPIDatatypeConvertible>(_ values: UnsafeBufferPointer<T>, to destination: Int, tag: Int = 0) throws {
        let datatype = try T.checkedDatatype("MPI_Send")
        try send(UnsafeRawBufferPointer(values), count: values.count, datatype, to: destination, tag: tag)
    }

    /// Receives a message of at most `values.count` elements into `values`
    /// (`MPI_Recv`); the array keeps its size, `count` of the status says how
    /// many elements arrived. A longer message fails with `MPI_ERR_TRUNCATE`.
    public func receive<T: MPIDatatypeConvertible>(into values: inout [T], from source: Int? = nil,
                                                   tag: Int? = nil) throws -> MessageStatus {
        try values.withUnsafeMutableBufferPointer { try receive(into: $0, from: source, tag: tag) }
    }

    /// Receives into the elements of `buffer` in `range` (all when nil) (`MPI_Recv`).
    public func receive<T: MPIDatatypeConvertible>(into buffer: MPIBuffer<T>, range: Range<Int>? = nil,
                                                   from source: Int? = nil, tag: Int? = nil) throws -> MessageStatus {
        try receive(into: try buffer.slice(range, "MPI_Recv"), from: source, tag: tag)
    }

    /// Receives into the memory at `values` (`MPI_Recv`).
    public func receive<T: MPIDatatypeConvertible>(into values: UnsafeMutableBufferPointer<T>, from source: Int? = nil,
                                                   tag: Int? = nil) throws -> MessageStatus {
        let datatype = try T.checkedDatatype("MPI_Recv")
        let count = try mpiInt(values.count, "element count", "MPI_Recv")
        let mpiSource = try sourceArgument(source, "MPI_Recv")
        let mpiTag = try tagArgument(tag, "MPI_Recv")
        var status = MPI_Status()
        try environment.check("MPI_Recv") {
            MPI_Recv(values.baseAddress, count, datatype.handle, mpiSource, mpiTag, handle, &status)
        }
        return try messageStatus(status, datatype, "MPI_Recv")
    }

    /// Receives one whole message of any length, sized by a matched probe
    /// (`MPI_Mprobe` then `MPI_Mrecv`, safe with several receiving threads).
    ///
    /// - Returns: the elements and the sender, tag and element count.
    public func receive<T: MPIDatatypeConvertible>(_ type: T.Type, from source: Int? = nil,
                                                   tag: Int? = nil) throws -> (values: [T], status: MessageStatus) {
        let datatype = try T.checkedDatatype("MPI_Mprobe")
        let mpiSource = try sourceArgument(source, "MPI_Mprobe")
        let mpiTag = try tagArgument(tag, "MPI_Mprobe")
        var message: MPI_Message? = nil
        var status = MPI_Status()
        try environment.check("MPI_Mprobe") { MPI_Mprobe(mpiSource, mpiTag, handle, &message, &status) }
        return try receiveMatched(&message, status, datatype, T.self)
    }

    /// Like `receive(_:from:tag:)`, but gives up when no matching message has
    /// arrived within `timeout`: polls `MPI_Improbe` with short sleeps (from
    /// 20 µs, doubling up to 1 ms), then receives with `MPI_Mrecv`.
    ///
    /// - Throws: `MPIError` with reason `.timedOut` (operation `MPI_Improbe`)
    ///   naming the awaited sender and tag when the deadline passes; nothing
    ///   has been received then.
    public func receive<T: MPIDatatypeConvertible>(_ type: T.Type, from source: Int? = nil, tag: Int? = nil,
                                                   timeout: Duration) throws -> (values: [T], status: MessageStatus) {
        let datatype = try T.checkedDatatype("MPI_Improbe")
        let mpiSource = try sourceArgument(source, "MPI_Improbe")
        let mpiTag = try tagArgument(tag, "MPI_Improbe")
        var message: MPI_Message? = nil
        var status = MPI_Status()
        var flag: Int32 = 0
        var deadline = PollingDeadline(timeout: timeout)
        while true {
            try environment.check("MPI_Improbe") { MPI_Improbe(mpiSource, mpiTag, handle, &flag, &message, &status) }
            if flag != 0 { break }
            environment.poll()
            do {
                try deadline.pauseOrThrow("MPI_Improbe", waitingFor:
                    "a message of \(datatype.name) from \(source.map { "rank \($0)" } ?? "any rank") with \(tag.map { "tag \($0)" } ?? "any tag") (communicator of \(size) ranks)")
            } catch {
                environment.deadlineHasPassed = true
                throw error
            }
        }
        return try receiveMatched(&message, status, datatype, T.self)
    }

    /// Receives the matched `message` whose probe gave `probeStatus` (`MPI_Mrecv`).
    private func receiveMatched<T: MPIDatatypeConvertible>(_ message: inout MPI_Message?, _ probeStatus: MPI_Status,
                                                           _ datatype: MPIDatatype, _ type: T.Type) throws -> (values: [T], status: MessageStatus) {
        let probed = try messageStatus(probeStatus, datatype, "MPI_Mprobe")
        var status = MPI_Status()
        var values = [T](unsafeUninitializedCapacity: probed.count) { _, initialized in initialized = probed.count }
        let count = Int32(probed.count)
        try values.withUnsafeMutableBufferPointer { elements in
            try environment.check("MPI_Mrecv") {
                MPI_Mrecv(elements.baseAddress, count, datatype.handle, &message, &status)
            }
        }
        return (values, try messageStatus(status, datatype, "MPI_Mrecv"))
    }

    /// Blocks until a message from `source` with `tag` can be received, without
    /// receiving it (`MPI_Probe`).
    ///
    /// - Returns: its sender, tag and length in elements of `type`.
    public func probe<T: MPIDatatypeConvertible>(_ type: T.Type, from source: Int? = nil,
                                                 tag: Int? = nil) throws -> MessageStatus {
        let datatype = try T.checkedDatatype("MPI_Probe")
        let mpiSource = try sourceArgument(source, "MPI_Probe")
        let mpiTag = try tagArgument(tag, "MPI_Probe")
        var status = MPI_Status()
        try environment.check("MPI_Probe") { MPI_Probe(mpiSource, mpiTag, handle, &status) }
        return try messageStatus(status, datatype, "MPI_Probe")
    }

    /// Checks without blocking for a message from `source` with `tag` (`MPI_Iprobe`).
    ///
    /// - Returns: its sender, tag and length in elements of `type`, or nil when
    ///   no such message is waiting.
    public func immediateProbe<T: MPIDatatypeConvertible>(_ type: T.Type, from source: Int? = nil,
                                                          tag: Int? = nil) throws -> MessageStatus? {
        let datatype = try T.checkedDatatype("MPI_Iprobe")
        let mpiSource = try sourceArgument(source, "MPI_Iprobe")
        let mpiTag = try tagArgument(tag, "MPI_Iprobe")
        var flag: Int32 = 0
        var status = MPI_Status()
        try environment.check("MPI_Iprobe") { MPI_Iprobe(mpiSource, mpiTag, handle, &flag, &status) }
        return flag != 0 ? try messageStatus(status, datatype, "MPI_Iprobe") : nil
    }

    /// `MPI_Send` of `count` elements of `datatype` at `bytes`.
    private func send(_ bytes: UnsafeRawBufferPointer, count: Int, _ datatype: MPIDatatype,
                      to destination: Int, tag: Int) throws {
        let mpiCount = try mpiInt(count, "element count", "MPI_Send")
        let mpiDestination = try mpiInt(destination, "destination rank", "MPI_Send")
        let mpiTag = try mpiInt(tag, "tag", "MPI_Send")
        try environment.check("MPI_Send") {
            MPI_Send(bytes.baseAddress, mpiCount, datatype.handle, mpiDestination, mpiTag, handle)
        }
    }

    /// The source, tag and element count (`MPI_Get_count`) of a status.
    func messageStatus(_ status: MPI_Status, _ datatype: MPIDatatype, _ operation: StaticString) throws -> MessageStatus {
        var status = status
        var count: Int32 = 0
        try environment.check("MPI_Get_count") { MPI_Get_count(&status, datatype.handle, &count) }
        if count == MPI_UNDEFINED {
            throw MPIError.refused("\(operation)", "the message from rank \(status.MPI_SOURCE) with tag \(status.MPI_TAG) is not a whole number of \(datatype.name) elements")
        }
        return MessageStatus(source: Int(status.MPI_SOURCE), tag: Int(status.MPI_TAG), count: Int(count))
    }
}
