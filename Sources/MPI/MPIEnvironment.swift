import CMPI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The MPI environment of this process: initializes MPI when created and
/// finalizes it exactly once. There is one per process; it is an owned value,
/// never a global — pass it (or the communicators made from it) to whoever needs MPI.
///
/// Lifetime and ordering:
/// - Every `Communicator` and `Request` holds a strong reference to the
///   environment, so when the environment is finalized by `deinit`, no
///   communicator or request is left: all user communicators have been freed
///   (`MPI_Comm_free`) before `MPI_Finalize`.
/// - `finalize()` finalizes at once. Communicators and requests still alive
///   afterwards are inert: their deinit makes no MPI call, and any operation on
///   them throws `MPIError` (reason `.refused`) instead of calling MPI after
///   `MPI_Finalize`. Finalize with no request pending and no other thread in MPI.
/// - MPI can be initialized only once per process: a second environment, or
///   one created after finalization, is refused with `MPIError`.
///
/// On initialization the error handler of `MPI_COMM_WORLD` and `MPI_COMM_SELF`
/// is set to `MPI_ERRORS_RETURN`, so failures come back as thrown `MPIError`
/// values instead of aborting the job.
public final class MPIEnvironment {
    /// The thread support level asked for.
    public let requestedThreadLevel: MPIThreadLevel
    /// The thread support level MPI granted (may be lower than asked).
    public let providedThreadLevel: MPIThreadLevel
    /// This process's rank in the world communicator.
    public let worldRank: Int
    /// The number of processes in the world communicator.
    public let worldSize: Int
    /// True once MPI has been finalized (by `finalize()` or by `deinit`).
    public private(set) var isFinalized = false
    /// True once a deadline (`wait(timeout:)`, `receive(..., timeout:)`) has passed in this
    /// process: a peer may have stopped, so requests dropped from then on are abandoned
    /// without a wait or a warning (see `Request`).
    public internal(set) var deadlineHasPassed = false

    /// Records a deadline that passed outside a request (a wait for a collective another
    /// thread runs): from now on requests dropped before completion are abandoned quietly,
    /// as after a request's own timeout.
    public func noteDeadlinePassed() { deadlineHasPassed = true }
    /// Called between the polls of every wait with a deadline (`Request.wait(timeout:)`,
    /// `Request.waitAll(_:timeout:)`, receives with a timeout), so that light work — a
    /// runtime's heartbeats — goes on while this process waits. It must return quickly and
    /// must not wait with a deadline itself (it is not called again while it runs).
    public var whilePolling: (() -> Void)?
    private var isPolling = false

    /// Runs `whilePolling` unless it is already running.
    func poll() {
        guard !isPolling, let whilePolling else { return }
        isPolling = true
        defer { isPolling = false }
        whilePolling()
    }

    /// Initializes MPI (`MPI_Init_thread`) asking for `threadLevel`.
    ///
    /// - Throws: `MPIError` when MPI is already initialized or finalized in this
    ///   process, or when initialization fails.
    public init(threadLevel: MPIThreadLevel = .funneled) throws {
        var initialized: Int32 = 0
        try checkMPI("MPI_Initialized", MPI_Initialized(&initialized))
        var finalized: Int32 = 0
        try checkMPI("MPI_Finalized", MPI_Finalized(&finalized))
        if finalized != 0 {
            throw MPIError.refused("MPI_Init_thread", "MPI was already finalized in this process and cannot be initialized again")
        }
        if initialized != 0 {
            throw MPIError.refused("MPI_Init_thread", "MPI is already initialized in this process; create one MPIEnvironment and share it")
        }
        var provided: Int32 = 0
        try checkMPI("MPI_Init_thread", MPI_Init_thread(nil, nil, threadLevel.mpiValue, &provided))
        requestedThreadLevel = threadLevel
        providedThreadLevel = MPIThreadLevel(mpiValue: provided) ?? .single
        do {
            try checkMPI("MPI_Comm_set_errhandler", MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN))
            try checkMPI("MPI_Comm_set_errhandler", MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN))
            var rank: Int32 = 0
            var size: Int32 = 0
            try checkMPI("MPI_Comm_rank", MPI_Comm_rank(MPI_COMM_WORLD, &rank))
            try checkMPI("MPI_Comm_size", MPI_Comm_size(MPI_COMM_WORLD, &size))
            worldRank = Int(rank)
            worldSize = Int(size)
        } catch {
            _ = MPI_Finalize()
            throw error
        }
    }

    /// Finalizes MPI (`MPI_Finalize`). Afterwards every MPI operation of this
    /// module throws `MPIError`; `deinit` does not finalize again.
    ///
    /// - Throws: `MPIError` when this environment was already finalized, or when
    ///   `MPI_Finalize` fails.
    public func finalize() throws {
        if isFinalized {
            throw MPIError.refused("MPI_Finalize", "MPI was already finalized by this environment")
        }
        isFinalized = true
        try checkMPI("MPI_Finalize", MPI_Finalize())
    }

    /// Finalizes MPI if `finalize()` was not called. Runs only after every
    /// communicator and request made from this environment is gone.
    deinit {
        if !isFinalized {
            isFinalized = true
            _ = MPI_Finalize()
        }
    }

    /// The world communicator (`MPI_COMM_WORLD`). Each access returns a new
    /// wrapper of the same communicator; the world communicator is never freed.
    public var world: Communicator {
        Communicator(world: self)
    }

    /// Seconds since an arbitrary point in the past (`MPI_Wtime`), for timing.
    public func wallTime() -> Double {
        MPI_Wtime()
    }

    /// The name of the processor (host) this rank runs on (`MPI_Get_processor_name`).
    public func processorName() throws -> String {
        var name = [CChar](repeating: 0, count: Int(MPI_MAX_PROCESSOR_NAME) + 1)
        var length: Int32 = 0
        try check("MPI_Get_processor_name") { MPI_Get_processor_name(&name, &length) }
        return String(decoding: name.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Aborts every process of the job (`MPI_Abort` on the world communicator)
    /// with exit code `code`. Meant for a fatal error on any rank: the other
    /// ranks may be blocked in a collective and cannot be told otherwise.
    public func abort(code: Int32) -> Never {
        if !isFinalized {
            _ = MPI_Abort(MPI_COMM_WORLD, code)
        }
        exit(code)
    }

    /// Runs one MPI call and converts a failure into a thrown `MPIError`;
    /// refuses the call (without calling MPI) once MPI is finalized.
    @inline(__always)
    func check(_ operation: StaticString, _ call: () -> Int32) throws {
        if isFinalized {
            throw MPIError.refused("\(operation)", "MPI was already finalized")
        }
        try checkMPI(operation, call())
    }
}
