/// What limits the step time of a layout.
public enum ScalingBottleneck: String, Codable, Sendable {
    case studentCompute = "student_compute"
    case teacherThroughput = "teacher_throughput"
    case gradientAllreduce = "gradient_allreduce"
    case teacherMessages = "teacher_messages"
    case boundaryValidation = "boundary_validation"
}

/// The model's prediction for one layout (JSON: snake_case keys). Times are seconds per
/// step; `step_seconds` is the steady step (what `ddk bench distill` measures: one DDK
/// interval, no boundary inside), `step_seconds_with_boundaries` adds each DDK boundary's
/// validation pass and pool refill spread over its K steps.
public struct ScalingPrediction: Codable, Equatable, Sendable {
    public var ranks: Int
    public var teacherRanks: Int
    public var studentRanks: Int
    public var nodes: Int
    public var globalBatchTokens: Int
    public var stepSeconds: Double
    public var stepSecondsWithBoundaries: Double
    /// Student tokens per second over whole runs (boundaries included).
    public var studentTokensPerSecond: Double
    /// Tokens/s against the ranks × one rank's tokens/s (1 at one rank).
    public var scalingEfficiency: Double
    public var bottleneck: ScalingBottleneck
    /// How much slower a student computes than alone on a core (ranks and other work
    /// sharing cores).
    public var computeSlowdown: Double
    /// The same for the busiest teacher.
    public var teacherSlowdown: Double
    public var studentComputeSeconds: Double
    public var gradientAllreduceSeconds: Double
    /// The part of the all-reduce on the link between nodes.
    public var gradientAllreduceLinkSeconds: Double
    /// The busiest teacher rank's compute per step.
    public var teacherComputeSeconds: Double
    /// The busiest node link's teacher-message traffic per step.
    public var teacherMessageSeconds: Double
    /// One boundary's validation pass and pool refill, over K steps.
    public var boundarySecondsPerStep: Double

    public init(ranks: Int, teacherRanks: Int, studentRanks: Int, nodes: Int, globalBatchTokens: Int, stepSeconds: Double,
                stepSecondsWithBoundaries: Double, studentTokensPerSecond: Double, scalingEfficiency: Double,
                bottleneck: ScalingBottleneck, computeSlowdown: Double, teacherSlowdown: Double, studentComputeSeconds: Double,
                gradientAllreduceSeconds: Double, gradientAllreduceLinkSeconds: Double, teacherComputeSeconds: Double,
                teacherMessageSeconds: Double, boundarySecondsPerStep: Double) {
        self.ranks = ranks
        self.teacherRanks = teacherRanks
        self.studentRanks = studentRanks
        self.nodes = nodes
        self.globalBatchTokens = globalBatchTokens
        self.stepSeconds = stepSeconds
        self.stepSecondsWithBoundaries = stepSecondsWithBoundaries
        self.studentTokensPerSecond = studentTokensPerSecond
        self.scalingEfficiency = scalingEfficiency
        self.bottleneck = bottleneck
        self.computeSlowdown = computeSlowdown
        self.teacherSlowdown = teacherSlowdown
        self.studentComputeSeconds = studentComputeSeconds
        self.gradientAllreduceSeconds = gradientAllreduceSeconds
        self.gradientAllreduceLinkSeconds = gradientAllreduceLinkSeconds
        self.teacherComputeSeconds = teacherComputeSeconds
        self.teacherMessageSeconds = teacherMessageSeconds
        self.boundarySecondsPerStep = boundarySecondsPerStep
    }
}

/// `ddk plan`'s table: the best teacher:student split for each rank count.
public struct ScalingTable: Codable, Equatable, Sendable {
    public var cluster: ClusterDescription
    public var allreduceAlgorithm: AllReduceAlgorithm
    /// One rank's student tokens/s (the efficiency's reference).
    public var singleRankTokensPerSecond: Double
    public var rows: [ScalingPrediction]

    public init(cluster: ClusterDescription, allreduceAlgorithm: AllReduceAlgorithm, singleRankTokensPerSecond: Double,
                rows: [ScalingPrediction]) {
        self.cluster = cluster
        self.allreduceAlgorithm = allreduceAlgorithm
        self.singleRankTokensPerSecond = singleRankTokensPerSecond
        self.rows = rows
    }
}
