/// What every rank reports to rank 0 at the end of a `ddk bench distill` run, gathered on
/// `world` as a flat `[Double]` buffer (one `flatCount` block per rank, in rank order):
///
///     teacher compute · teacher serving wall · credit wait · bare all-reduce · is teacher (1/0) · bucketed all-reduce
///     · heartbeat seconds · heartbeat-measured wall seconds
///
/// Fields a rank has nothing to say about are zero.
public struct RankBenchmarkFigures: Equatable, Sendable {
    /// A teacher rank's seconds computing outputs.
    public var teacherComputeSeconds: Double
    /// A teacher rank's wall time serving the intervals.
    public var teacherServingSeconds: Double
    /// A teacher rank's seconds waiting for students' credits.
    public var creditWaitSeconds: Double
    /// A student's blocking all-reduce of the gradient's bytes, best of 3.
    public var bareAllreduceSeconds: Double
    public var isTeacher: Bool
    /// A student's bucketed all-reduce of the gradient, best of 3.
    public var bucketedAllreduceSeconds: Double
    /// Seconds this rank spent sending and taking heartbeats, and the wall time they ran.
    public var heartbeatSeconds: Double, heartbeatWallSeconds: Double

    public init(teacherComputeSeconds: Double = 0, teacherServingSeconds: Double = 0, creditWaitSeconds: Double = 0,
                bareAllreduceSeconds: Double = 0, isTeacher: Bool = false, bucketedAllreduceSeconds: Double = 0,
                heartbeatSeconds: Double = 0, heartbeatWallSeconds: Double = 0) {
        self.teacherComputeSeconds = teacherComputeSeconds
        self.teacherServingSeconds = teacherServingSeconds
        self.creditWaitSeconds = creditWaitSeconds
        self.bareAllreduceSeconds = bareAllreduceSeconds
        self.isTeacher = isTeacher
        self.bucketedAllreduceSeconds = bucketedAllreduceSeconds
        self.heartbeatSeconds = heartbeatSeconds
        self.heartbeatWallSeconds = heartbeatWallSeconds
    }

    /// Values in one rank's block.
    public static let flatCount = 8

    /// This rank's block.
    public var flat: [Double] {
        [teacherComputeSeconds, teacherServingSeconds, creditWaitSeconds, bareAllreduceSeconds, isTeacher ? 1 : 0,
         bucketedAllreduceSeconds, heartbeatSeconds, heartbeatWallSeconds]
    }

    /// Reads one rank's block.
    public init(flat block: ArraySlice<Double>) {
        precondition(block.count == Self.flatCount, "benchmark figures of another size")
        let first = block.startIndex
        self.init(teacherComputeSeconds: block[first], teacherServingSeconds: block[first + 1],
                  creditWaitSeconds: block[first + 2], bareAllreduceSeconds: block[first + 3],
                  isTeacher: block[first + 4] == 1, bucketedAllreduceSeconds: block[first + 5],
                  heartbeatSeconds: block[first + 6], heartbeatWallSeconds: block[first + 7])
    }

    /// Every rank's figures from rank 0's gathered buffer, in rank order.
    public static func ranks(of gathered: [Double]) -> [RankBenchmarkFigures] {
        precondition(gathered.count % flatCount == 0, "gathered benchmark figures are not whole blocks")
        return stride(from: 0, to: gathered.count, by: flatCount).map {
            RankBenchmarkFigures(flat: gathered[$0..<$0 + flatCount])
        }
    }
}
