/// `training.gradient_sync`: how the students' gradient all-reduce runs (README,
/// "Performance → Gradient sync" has the measurements, and why the default is `nonblocking`).
public enum GradientSyncMode: String, Codable, Sendable, CaseIterable {
    /// A communication thread runs blocking `MPI_Allreduce`s (MPI's tuned algorithm) on the
    /// buckets as backward finishes them, last layers first, while the earlier layers are
    /// still back-propagating; the step waits for the last bucket with the deadline.
    case overlapped
    /// The same thread and buckets, all started after the whole backward pass.
    case afterBackward = "after_backward"
    /// Non-blocking `MPI_Iallreduce`s started after backward and polled by the training
    /// thread (no second thread; MPI progresses them only while polled).
    case nonblocking

    /// Whether the mode needs `MPI_THREAD_MULTIPLE` (a second thread calls MPI).
    public var usesCommunicationThread: Bool { self != .nonblocking }
}
