import Foundation
import MPI

/// How long a collective of the job may wait before the job is declared hung, and who is
/// waiting (for the message). A hang detector, not a budget: set it well above the slowest
/// legitimate wait (a collective waits for the slowest rank's work since the previous one).
///
/// Made once per job from `training.collective_timeout_seconds` (`DistillJob.collectiveDeadline`);
/// the gradient all-reduce uses one made from `teacher.timeout_seconds`.
public struct CollectiveDeadline {
    /// Seconds a collective may wait.
    public var seconds: Double
    /// Where the seconds come from, for the message (`training.collective_timeout_seconds`).
    public var configKey: String
    /// The waiting rank's world rank.
    public var worldRank: Int
    /// The waiting rank's roles ("coordinator+student"), nil when not known yet.
    public var role: String?
    /// Who is still answering, to name the silent members when the deadline passes (nil
    /// before the job's monitor runs, or with `training.heartbeat_seconds = 0`).
    public var liveness: LivenessMonitor?

    public init(seconds: Double, configKey: String = "training.collective_timeout_seconds", worldRank: Int,
                role: String? = nil, liveness: LivenessMonitor? = nil) {
        self.seconds = seconds
        self.configKey = configKey
        self.worldRank = worldRank
        self.role = role
        self.liveness = liveness
    }

    /// Waits for the collective `request` on `communicator` (named `name`) to complete, polling
    /// (which also lets MPI progress it); throws `CollectiveTimeoutError` when `seconds` pass.
    public func wait(for request: Request, on communicator: Communicator, named name: String,
                     purpose: () -> String) throws {
        try wait(forAll: [request], on: communicator, named: name, purpose: purpose)
    }

    /// Waits for every collective of `requests` on `communicator` within one deadline; see
    /// `wait(for:on:named:purpose:)`. On a timeout every pending request is left pending
    /// (`Request.waitAll(_:timeout:)`: none is waited for again when dropped).
    public func wait(forAll requests: [Request], on communicator: Communicator, named name: String,
                     purpose: () -> String) throws {
        let started = ContinuousClock.now
        do {
            try Request.waitAll(requests, timeout: .nanoseconds(Int64((seconds * 1e9).rounded())))
        } catch let error as MPIError where error.isTimeout {
            throw timeoutError(since: started, on: communicator, named: name, purpose: purpose(), underlying: error)
        }
    }

    /// Waits for `thread` to finish the collectives on `communicator` (named `name`) handed
    /// to it, taking heartbeats meanwhile; throws `CollectiveTimeoutError` when `seconds` pass.
    func wait(for thread: CommunicationThread, operation: String, on communicator: Communicator, named name: String,
              purpose: () -> String) throws {
        let started = ContinuousClock.now
        let whilePolling = communicator.environment.whilePolling
        guard try !thread.waitForAll(seconds: seconds, whileWaiting: { whilePolling?() }) else { return }
        communicator.environment.noteDeadlinePassed()
        let underlying = MPIError.timedOut(operation, after: seconds, waitingFor: "the communication thread's collectives")
        throw timeoutError(since: started, on: communicator, named: name, purpose: purpose(), underlying: underlying)
    }

    private func timeoutError(since started: ContinuousClock.Instant, on communicator: Communicator, named name: String,
                              purpose: String, underlying: MPIError) -> CollectiveTimeoutError {
        let waited = ContinuousClock.now - started
        return CollectiveTimeoutError(
            purpose: purpose, communicator: name, communicatorSize: communicator.size, worldRank: worldRank, role: role,
            waitedSeconds: Double(waited.components.seconds) + Double(waited.components.attoseconds) * 1e-18,
            configKey: configKey, silentRanks: liveness?.silentMembers(of: name), underlying: underlying)
    }
}

/// A collective that did not complete within its deadline: some rank of the communicator
/// never joined it (stopped, crashed without its launcher noticing, or its host unreachable).
/// MPI cannot say which rank is missing; the message names what was waited for, where and how
/// long, and the members the job's heartbeats (`LivenessMonitor`) have not heard from lately.
public struct CollectiveTimeoutError: Error, CustomStringConvertible {
    /// What the collective was for, for example "DDK decision broadcast at step 40".
    public var purpose: String
    /// The communicator's name in the job ("world", "trainers", "students").
    public var communicator: String
    public var communicatorSize: Int
    /// The rank that gave up waiting (world rank) and its roles.
    public var worldRank: Int
    public var role: String?
    /// How long it waited.
    public var waitedSeconds: Double
    /// The config key that set the deadline.
    public var configKey: String
    /// The members silent for a while, longest first (nil: no heartbeats in this job).
    public var silentRanks: [LivenessMonitor.SilentRank]?
    /// The MPI wrapper's timeout (operation and what it still waited for).
    public var underlying: MPIError

    public var description: String {
        let waiter = "rank \(worldRank)" + (role.map { " (\($0))" } ?? "")
        return "\(purpose) on \(communicator) (\(communicatorSize) ranks) did not complete: \(waiter) waited "
            + String(format: "%.1f", waitedSeconds) + " s (\(configKey)); a rank of \(communicator) is stopped, "
            + "crashed without its launcher noticing, or its host is unreachable" + silence
            + " [\(underlying.operation): \(underlying.message)]"
    }

    /// What the heartbeats say: who fell silent, or that every member still answers.
    private var silence: String {
        guard let silentRanks else { return "" }
        if silentRanks.isEmpty { return ": every other member still answers heartbeats (one may be blocked on another communicator)" }
        return ": silent " + silentRanks.map(\.description).joined(separator: ", ")
    }
}
