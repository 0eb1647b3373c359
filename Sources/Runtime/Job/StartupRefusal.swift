/// A job refused at start-up, known to every rank at once: rank 0's config loading or
/// start-up checks failed (it then broadcasts an empty config), or the ranks decoded the
/// broadcast config differently. Rank 0 holds the reason and reports it once; the other
/// ranks end quietly. No rank is left waiting in a collective, so every rank finalizes
/// MPI and exits non-zero instead of aborting the job.
public struct StartupRefusal: Error, CustomStringConvertible {
    /// Why the job was refused (on rank 0; nil on the other ranks).
    public var reason: (any Error)?

    public init(reason: (any Error)?) {
        self.reason = reason
    }

    public var description: String { reason.map { "\($0)" } ?? "the job was refused at start-up (rank 0 reports why)" }
}
