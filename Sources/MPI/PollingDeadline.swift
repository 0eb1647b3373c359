#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deadline for polling MPI (`MPI_Test`, `MPI_Improbe`) without blocking
/// forever: between polls it sleeps from 20 µs, doubling up to 1 ms, and once
/// the deadline has passed it throws a timeout `MPIError`.
struct PollingDeadline {
    private let clock = ContinuousClock()
    private let deadline: ContinuousClock.Instant
    private let timeout: Duration
    private var pauseMicroseconds: UInt32 = 20

    /// A deadline `timeout` from now.
    init(timeout: Duration) {
        self.timeout = timeout
        self.deadline = clock.now.advanced(by: timeout)
    }

    /// Sleeps before the next poll, or throws `MPIError` (reason `.timedOut`)
    /// for `operation` when the deadline has passed; `waitingFor` says what was awaited.
    mutating func pauseOrThrow(_ operation: String, waitingFor: @autoclosure () -> String) throws {
        if clock.now >= deadline {
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
            throw MPIError(operation: operation, reason: .timedOut(seconds: seconds),
                           message: "still waiting for \(waitingFor())")
        }
        usleep(pauseMicroseconds)
        pauseMicroseconds = Swift.min(pauseMicroseconds * 2, 1000)
    }
}
