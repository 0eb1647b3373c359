/// What every rank reports to rank 0 at the end of a `ddk bench distill` run, gathered on
/// `world` as a flat `[Double]` buffer (one `flatCount` block per rank, in rank order):
///
///     is teacher (1/0) · wall · CPU · compute · teacher wait · sync wait · credit wait
///     · bare all-reduce · bucketed all-reduce · heartbeat seconds · heartbeat-measured wall seconds
///     · teacher tokens
///
/// Fields a rank has nothing to say about are zero.
public struct RankBenchmarkFigures: Equatable, Sendable {
    public var isTeacher: Bool
    /// Where the rank's time went while the job trained (`RankTimeAccount`).
    public var wallSeconds: Double, cpuSeconds: Double, computeSeconds: Double
    public var teacherWaitSeconds: Double, syncWaitSeconds: Double, creditWaitSeconds: Double
    /// A student's blocking all-reduce of the gradient's bytes, best of 3.
    public var bareAllreduceSeconds: Double
    /// A student's bucketed all-reduce of the gradient from a synchronized start, best of 3.
    public var bucketedAllreduceSeconds: Double
    /// Seconds this rank spent sending and taking heartbeats, and the wall time they ran.
    public var heartbeatSeconds: Double, heartbeatWallSeconds: Double
    /// A teacher rank's tokens run through the teacher.
    public var teacherTokens: Double

    public init(isTeacher: Bool = false, wallSeconds: Double = 0, cpuSeconds: Double = 0, computeSeconds: Double = 0,
                teacherWaitSeconds: Double = 0, syncWaitSeconds: Double = 0, creditWaitSeconds: Double = 0,
                bareAllreduceSeconds: Double = 0, bucketedAllreduceSeconds: Double = 0,
                heartbeatSeconds: Double = 0, heartbeatWallSeconds: Double = 0, teacherTokens: Double = 0) {
        self.isTeacher = isTeacher
        self.wallSeconds = wallSeconds
        self.cpuSeconds = cpuSeconds
        self.computeSeconds = computeSeconds
        self.teacherWaitSeconds = teacherWaitSeconds
        self.syncWaitSeconds = syncWaitSeconds
        self.creditWaitSeconds = creditWaitSeconds
        self.bareAllreduceSeconds = bareAllreduceSeconds
        self.bucketedAllreduceSeconds = bucketedAllreduceSeconds
        self.heartbeatSeconds = heartbeatSeconds
        self.heartbeatWallSeconds = heartbeatWallSeconds
        self.teacherTokens = teacherTokens
    }

    /// Values in one rank's block.
    public static let flatCount = 12

    /// This rank's block.
    public var flat: [Double] {
        [isTeacher ? 1 : 0, wallSeconds, cpuSeconds, computeSeconds, teacherWaitSeconds, syncWaitSeconds, creditWaitSeconds,
         bareAllreduceSeconds, bucketedAllreduceSeconds, heartbeatSeconds, heartbeatWallSeconds, teacherTokens]
    }

    /// Reads one rank's block.
    public init(flat block: ArraySlice<Double>) {
        precondition(block.count == Self.flatCount, "benchmark figures of another size")
        let value = { (field: Int) in block[block.startIndex + field] }
        self.init(isTeacher: value(0) == 1, wallSeconds: value(1), cpuSeconds: value(2), computeSeconds: value(3),
                  teacherWaitSeconds: value(4), syncWaitSeconds: value(5), creditWaitSeconds: value(6),
                  bareAllreduceSeconds: value(7), bucketedAllreduceSeconds: value(8),
                  heartbeatSeconds: value(9), heartbeatWallSeconds: value(10), teacherTokens: value(11))
    }

    /// Every rank's figures from rank 0's gathered buffer, in rank order.
    public static func ranks(of gathered: [Double]) -> [RankBenchmarkFigures] {
        precondition(gathered.count % flatCount == 0, "gathered benchmark figures are not whole blocks")
        return stride(from: 0, to: gathered.count, by: flatCount).map {
            RankBenchmarkFigures(flat: gathered[$0..<$0 + flatCount])
        }
    }

    /// Fraction of `part` in this rank's wall time.
    func share(_ part: Double) -> Double { wallSeconds > 0 ? part / wallSeconds : 0 }
}
