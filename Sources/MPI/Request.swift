import CMPI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A non-blocking operation in flight (`MPI_Request`), made by `immediateSend`,
/// `immediateReceive` or a non-blocking collective (`immediateAllReduce`,
/// `immediateBroadcast`, `immediateReduce`, `immediateGather`,
/// `immediateAllGather`, `immediateBarrier`). It keeps the `MPIBuffer`s it
/// uses (and its communicator) alive and unmoved until it completes; complete it
/// with `wait()`, `wait(timeout:)`, `test()` or `Request.waitAll(_:)`.
///
/// A request dropped before completion is a programming error, made safe and
/// reported with one line on standard error:
/// - a receive is cancelled (`MPI_Cancel`) and then completed (`MPI_Wait`), so
///   it cannot hang on a message that never comes and never writes later; after a
///   wait with a deadline timed out on it, the cancel is completed with one
///   `MPI_Test` instead: a receive already matched to a message whose sender
///   stopped mid-transfer cannot be cancelled, and waiting for it would hang, so
///   it is then left pending with its buffer kept alive for good;
/// - a send is released to MPI (`MPI_Request_free`) and its buffers are kept
///   alive for the rest of the process (a deliberate leak: MPI may still read
///   them), so it never hangs on a peer that never receives;
/// - a collective cannot be cancelled or freed by MPI's rules, so it is waited
///   for (`MPI_Wait`); every rank must still take part. Except after a wait with
///   a deadline timed out on it: a rank then presumably never joins and waiting
///   would hang, so it is left pending, silently, with its buffers kept alive for
///   good (a deliberate leak: the caller is expected to abort the job).
/// Once any deadline has passed in the process (`MPIEnvironment.deadlineHasPassed`:
/// the job is failing and a peer may have stopped), every request dropped later is
/// treated as timed out, and no warning is printed (the timeout is being reported
/// by the error that unwinds).
/// After `MPIEnvironment.finalize()` the deinit makes no MPI call.
///
/// A request is not thread-safe: complete it from one thread.
public final class Request {
    /// What the request does, which decides its status and its deinit policy.
    enum Kind {
        case send
        case receive(MPIDatatype)
        case collective
    }

    /// The MPI handle; `MPI_REQUEST_NULL` once complete.
    private var handle: MPI_Request?
    private let kind: Kind
    /// The communicator, kept alive (with its environment) until completion.
    private let communicator: Communicator
    /// The buffers MPI reads or writes, kept alive until completion.
    private var retainedBuffers: [AnyObject]
    /// True after a wait or test failed: MPI's view of the request is unknown.
    private var failed = false
    /// True after a wait with a deadline gave up on it while still pending.
    private var timedOut = false

    /// The MPI operation that started the request, for example `"MPI_Irecv"`.
    public let operation: String
    /// What the request waits for, in words (peer, tag, size), for error messages.
    public let label: String
    /// True once the operation completed.
    public private(set) var isComplete = false
    /// For a completed receive: the sender, tag and element count; otherwise nil.
    public private(set) var status: MessageStatus?

    init(handle: MPI_Request?, kind: Kind, communicator: Communicator, retaining buffers: [AnyObject],
         operation: String, label: String) {
        self.handle = handle
        self.kind = kind
        self.communicator = communicator
        self.retainedBuffers = buffers
        self.operation = operation
        self.label = label
    }

    deinit {
        guard !isComplete, !failed, handle != nil, handle != MPI_REQUEST_NULL,
              !communicator.environment.isFinalized else { return }
        let failing = communicator.environment.deadlineHasPassed
        if failing { timedOut = true }
        let policy: String
        switch kind {
        case .receive:
            _ = MPI_Cancel(&handle)
            if timedOut {
                var flag: Int32 = 0
                _ = MPI_Test(&handle, &flag, MPI_STATUS_IGNORE)
                if flag == 0 {
                    for buffer in retainedBuffers { _ = Unmanaged.passRetained(buffer) }
                    policy = "could not cancel it (matched, its sender stalled) and kept its buffer alive for good"
                } else {
                    policy = "cancelled it"
                }
            } else {
                _ = MPI_Wait(&handle, MPI_STATUS_IGNORE)
                policy = "cancelled it"
            }
        case .send:
            _ = MPI_Request_free(&handle)
            for buffer in retainedBuffers { _ = Unmanaged.passRetained(buffer) }
            policy = "released it to MPI and kept its buffer alive for good"
        case .collective:
            if timedOut {
                // A rank never joined within the deadline: waiting here would hang.
                for buffer in retainedBuffers { _ = Unmanaged.passRetained(buffer) }
                return
            }
            _ = MPI_Wait(&handle, MPI_STATUS_IGNORE)
            policy = "waited for it"
        }
        if !failing {
            fputs("MPI: warning: request \(operation) (\(label)) was dropped before completion; \(policy)\n", stderr)
        }
    }

    /// Blocks until the operation completes (`MPI_Wait`) and releases its buffers.
    ///
    /// - Returns: for a receive, the sender, tag and element count; otherwise nil.
    @discardableResult
    public func wait() throws -> MessageStatus? {
        if isComplete { return status }
        try refuseIfFailed("MPI_Wait")
        var mpiStatus = MPI_Status()
        do {
            try communicator.environment.check("MPI_Wait") { MPI_Wait(&handle, &mpiStatus) }
        } catch {
            markFailed()
            throw error
        }
        try complete(with: mpiStatus)
        return status
    }

    /// Checks without blocking whether the operation completed (`MPI_Test`);
    /// when it has, records its status and releases its buffers.
    ///
    /// Calling it also lets MPI progress the operation (useful while overlapping
    /// a non-blocking all-reduce with computation).
    public func test() throws -> Bool {
        if isComplete { return true }
        try refuseIfFailed("MPI_Test")
        var flag: Int32 = 0
        var mpiStatus = MPI_Status()
        do {
            try communicator.environment.check("MPI_Test") { MPI_Test(&handle, &flag, &mpiStatus) }
        } catch {
            markFailed()
            throw error
        }
        if flag != 0 {
            try complete(with: mpiStatus)
            return true
        }
        return false
    }

    /// Waits until the operation completes or `timeout` passes, polling
    /// `MPI_Test` with short sleeps (from 20 µs, doubling up to 1 ms).
    ///
    /// - Throws: `MPIError` with reason `.timedOut` naming what was waited for
    ///   when the deadline passes (the request stays pending), or the error of
    ///   the operation.
    /// - Returns: for a receive, the sender, tag and element count; otherwise nil.
    @discardableResult
    public func wait(timeout: Duration) throws -> MessageStatus? {
        var deadline = PollingDeadline(timeout: timeout)
        try wait(until: &deadline)
        return status
    }

    /// Polls until complete or until `deadline` passes; see `wait(timeout:)`.
    private func wait(until deadline: inout PollingDeadline) throws {
        while try !test() {
            communicator.environment.poll()
            do {
                try deadline.pauseOrThrow(operation, waitingFor: label)
            } catch {
                timedOut = true
                communicator.environment.deadlineHasPassed = true
                throw error
            }
        }
    }

    /// Hands a send over to MPI (`MPI_Request_free`): it completes on its own and its buffer
    /// stays alive for good. For fire-and-forget messages (heartbeats) whose completion nobody
    /// waits for; a dropped pending request would otherwise warn.
    public func free() throws {
        guard case .send = kind else {
            throw MPIError.refused("MPI_Request_free", "only a send can be freed (\(operation), \(label))")
        }
        guard !isComplete, !failed, handle != nil, handle != MPI_REQUEST_NULL else { return }
        try communicator.environment.check("MPI_Request_free") { MPI_Request_free(&handle) }
        for buffer in retainedBuffers { _ = Unmanaged.passRetained(buffer) }
        retainedBuffers.removeAll()
        isComplete = true
    }

    /// Blocks until every request completes (`MPI_Waitall`) and releases their buffers.
    public static func waitAll(_ requests: [Request]) throws {
        let pending = requests.filter { !$0.isComplete }
        for request in pending { try request.refuseIfFailed("MPI_Waitall") }
        guard let first = pending.first else { return }
        var handles = pending.map { $0.handle }
        var statuses = [MPI_Status](repeating: MPI_Status(), count: pending.count)
        let count = try mpiInt(pending.count, "request count", "MPI_Waitall")
        do {
            try first.communicator.environment.check("MPI_Waitall") { MPI_Waitall(count, &handles, &statuses) }
        } catch {
            for request in pending { request.markFailed() }
            throw error
        }
        for (index, request) in pending.enumerated() {
            request.handle = handles[index]
            try request.complete(with: statuses[index])
        }
    }

    /// Waits until every request completes or `timeout` passes (one deadline
    /// for all), polling like `wait(timeout:)`.
    ///
    /// - Throws: `MPIError` with reason `.timedOut` naming the first request
    ///   still pending at the deadline; requests not yet complete stay pending
    ///   (and count as timed out, see the deinit policy).
    public static func waitAll(_ requests: [Request], timeout: Duration) throws {
        var deadline = PollingDeadline(timeout: timeout)
        for request in requests {
            do {
                try request.wait(until: &deadline)
            } catch let error as MPIError where error.isTimeout {
                for pending in requests where !pending.isComplete { pending.timedOut = true }
                throw error
            }
        }
    }

    /// Records completion: the status of a receive, and releases the buffers.
    private func complete(with mpiStatus: MPI_Status) throws {
        isComplete = true
        handle = MPI_REQUEST_NULL
        retainedBuffers.removeAll()
        if case .receive(let datatype) = kind {
            status = try communicator.messageStatus(mpiStatus, datatype, "MPI_Irecv")
        }
    }

    /// Refuses to touch a request whose wait or test already failed.
    private func refuseIfFailed(_ operation: StaticString) throws {
        if failed {
            throw MPIError.refused("\(operation)", "the request \(self.operation) (\(label)) already failed")
        }
    }

    /// After a failed wait or test MPI's state of the request is unknown: keep
    /// its buffers alive for good (MPI might still use them) and never touch it again.
    private func markFailed() {
        failed = true
        for buffer in retainedBuffers { _ = Unmanaged.passRetained(buffer) }
        retainedBuffers.removeAll()
    }
}
