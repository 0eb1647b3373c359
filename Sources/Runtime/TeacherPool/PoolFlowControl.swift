/// The flow control both ends of a teacher–student link agree on: how many steps a
/// teacher may run ahead of a student (`teacher.prefetch_depth`) and how long either
/// side waits for the other within a step (`teacher.timeout_seconds`).
public struct PoolFlowControl: Sendable, Equatable {
    /// Messages per student that may exist at once (sent, not yet taken).
    public let prefetchDepth: Int
    /// The deadline of every wait on the peer inside a step.
    public let timeout: Duration

    public init(prefetchDepth: Int, timeoutSeconds: Double) {
        self.prefetchDepth = prefetchDepth
        timeout = .milliseconds(Int64(timeoutSeconds * 1000))
    }
}
