/// One rank's time in `ddk bench distill`: fractions of its wall time while the job trained
/// (a student's steps after the first; a teacher's whole serving).
public struct RankTimeBreakdown: Encodable {
    public var rank: Int
    /// "coordinator+student", "student", "teacher".
    public var role: String
    public var wallSeconds: Double
    /// Process CPU time (all threads) / wall time: 1 = one core busy the whole time.
    public var cpuUtilization: Double
    /// Student: forward, loss, backward and optimizer; teacher: computing outputs.
    public var computeFraction: Double
    public var teacherWaitFraction: Double
    /// Waiting for the gradient all-reduce after backward.
    public var syncWaitFraction: Double
    /// Teacher: waiting for students' credits.
    public var creditWaitFraction: Double
    /// The rest: the per-step figures gather (waiting for the slowest student), batches,
    /// heartbeats; a teacher's waits for the next request.
    public var otherFraction: Double

    init(rank: Int, role: String, figures: RankBenchmarkFigures) {
        self.rank = rank
        self.role = role
        wallSeconds = figures.wallSeconds
        cpuUtilization = figures.share(figures.cpuSeconds)
        computeFraction = figures.share(figures.computeSeconds)
        teacherWaitFraction = figures.share(figures.teacherWaitSeconds)
        syncWaitFraction = figures.share(figures.syncWaitSeconds)
        creditWaitFraction = figures.share(figures.creditWaitSeconds)
        otherFraction = max(0, 1 - computeFraction - teacherWaitFraction - syncWaitFraction - creditWaitFraction)
    }
}
