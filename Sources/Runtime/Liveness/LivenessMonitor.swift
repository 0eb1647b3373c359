import Foundation
import MPI

/// Who is still answering: every rank sends every other rank a heartbeat (its current step,
/// one `Int64`) every `interval` on a communicator of its own, and records when it last
/// heard from each. Heartbeats go out and come in while the rank waits with a deadline
/// (`MPIEnvironment.whilePolling`) and between steps, so a rank that waits keeps
/// answering, and a stopped, crashed or cut-off rank falls silent. When a collective's
/// deadline passes, MPI cannot say which member is missing; the silence can
/// (`silentMembers(of:)`, in `CollectiveTimeoutError`).
///
/// Cheap by construction: one 8-byte message per peer per interval, at most one in flight
/// per peer (a peer that does not take it is not sent another), no blocking call; the
/// sends are handed over to MPI when the monitor stops, never waited for.
public final class LivenessMonitor {
    /// A rank that has not been heard from for a while.
    public struct SilentRank: Equatable, CustomStringConvertible {
        public var worldRank: Int
        public var role: String
        public var host: String
        /// Seconds since its last heartbeat (since the monitor started when none came).
        public var silentSeconds: Double
        /// The step it reported last (nil: no heartbeat yet).
        public var lastStep: Int?

        public var description: String {
            "rank \(worldRank) (\(role), host \(host)) last heard " + String(format: "%.1f s ago", silentSeconds)
                + (lastStep.map { $0 < 0 ? " (during start-up)" : " (at step \($0))" } ?? " (never)")
        }
    }

    private let communicator: Communicator
    private let interval: Duration
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastHeard: [ContinuousClock.Instant?]
    private var lastStep: [Int?]
    private var inFlight: [Request?]
    private var lastSent: ContinuousClock.Instant?
    private var lastDrained: ContinuousClock.Instant?
    private var stopped = false
    /// The step this rank is at (sent in its heartbeats; −1 before training).
    public var currentStep = -1
    /// Seconds spent sending and taking heartbeats (what they cost this rank beyond one clock
    /// read per poll of a wait, which is idle time anyway).
    public private(set) var busySeconds = 0.0
    /// Seconds since the monitor started.
    public var runningSeconds: Double { Self.seconds(clock.now - started) }
    /// Roles and host names by world rank, for the report.
    let roles: [String], hosts: [String]
    /// World ranks of each named communicator of the job ("world", "students", "trainers").
    let members: [String: [Int]]

    /// A monitor on `communicator` (a duplicate of the world: its messages meet no other),
    /// heartbeats every `interval`.
    public init(communicator: Communicator, interval: Duration, roles: [String], hosts: [String], members: [String: [Int]]) {
        self.communicator = communicator
        self.interval = interval
        self.roles = roles
        self.hosts = hosts
        self.members = members
        started = clock.now
        lastHeard = Array(repeating: nil, count: communicator.size)
        lastStep = Array(repeating: nil, count: communicator.size)
        inFlight = Array(repeating: nil, count: communicator.size)
    }

    /// Sends this rank's heartbeats when one is due and takes the ones that arrived. Never
    /// throws and never blocks: an MPI error stops the monitor (the job's own waits report it).
    public func poll() {
        guard !stopped else { return }
        let now = clock.now
        let sendDue = lastSent.map { now - $0 >= interval } ?? true
        let drainDue = lastDrained.map { now - $0 >= .milliseconds(250) } ?? true
        guard sendDue || drainDue else { return }
        defer { busySeconds += Self.seconds(clock.now - now) }
        do {
            if sendDue {
                try sendHeartbeats()
                lastSent = now
            }
            if drainDue {
                try drain(at: now)
                lastDrained = now
            }
        } catch {
            stopped = true
        }
    }

    private func sendHeartbeats() throws {
        for peer in 0..<communicator.size where peer != communicator.rank {
            if let previous = inFlight[peer], try !previous.test() { continue }
            inFlight[peer] = try communicator.immediateSend([Int64(currentStep)], to: peer)
        }
    }

    private func drain(at now: ContinuousClock.Instant) throws {
        while let status = try communicator.immediateProbe(Int64.self) {
            var value: [Int64] = [0]
            try communicator.receive(into: &value, from: status.source, tag: status.tag)
            lastHeard[status.source] = now
            lastStep[status.source] = Int(value[0])
        }
    }

    /// The members of the communicator `name` silent for longer than two intervals and a
    /// second, longest silence first (this rank itself excluded).
    public func silentMembers(of name: String) -> [SilentRank] {
        let now = clock.now
        let threshold = interval * 2 + .seconds(1)
        return (members[name] ?? []).compactMap { rank -> SilentRank? in
            guard rank != communicator.rank else { return nil }
            let silence = now - (lastHeard[rank] ?? started)
            guard silence > threshold else { return nil }
            return SilentRank(worldRank: rank, role: roles[rank], host: hosts[rank],
                              silentSeconds: Self.seconds(silence),
                              lastStep: lastStep[rank])
        }.sorted { $0.silentSeconds > $1.silentSeconds }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Ends the heartbeats: sends still in flight are handed over to MPI.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        for case let request? in inFlight where !request.isComplete {
            try? request.free()
        }
        inFlight = Array(repeating: nil, count: inFlight.count)
    }
}
