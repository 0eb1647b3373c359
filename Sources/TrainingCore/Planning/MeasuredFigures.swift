/// What `ddk plan measure` measured on one machine, per rank and one OpenBLAS thread: the
/// inputs of `ScalingModel`. The JSON form (snake_case keys) is the figures file of
/// `ddk plan --figures FILE`.
public struct MeasuredFigures: Codable, Equatable, Sendable {
    /// The config the figures were measured with.
    public var config: String
    /// The objective needs teacher outputs (`kd`, `dskd`); `ce` runs without a teacher pool.
    public var needsTeacher: Bool
    /// Rank 0 trains as a student besides coordinating (`training.coordinator_trains`).
    public var coordinatorTrains: Bool
    /// The config's global batch, B·T tokens per step.
    public var globalBatchTokens: Int
    /// The per-rank batch (tokens) the student step was timed at.
    public var studentBatchTokens: Int
    /// Seconds of one student step (forward, objective, backward, clip, AdamW; no
    /// all-reduce, no teacher wait) per token of the per-rank batch, on a core of its own
    /// (`plan measure` takes process CPU time: one thread).
    public var studentStepSecondsPerToken: Double
    /// Tokens per second of one teacher rank on a core of its own: forward pass and the
    /// message's targets.
    public var teacherTokensPerSecond: Double
    /// Bytes of a teacher message per token of the student's batch.
    public var teacherMessageBytesPerToken: Double
    /// Seconds of the students' validation pass at a DDK boundary, the whole validation set
    /// on one rank (the students split it).
    public var validationSecondsPerBoundary: Double
    /// K: steps between DDK boundaries (`ddk.interval_steps`).
    public var intervalSteps: Int
    /// Bytes of the gradient all-reduced every step (parameters × 4).
    public var gradientBytes: Int
    /// Bytes of one all-reduce bucket (`training.allreduce_bucket_megabytes`).
    public var allreduceBucketBytes: Int
    /// α of the fit α + bytes/β of the job's bucketed all-reduce between 2 ranks on this
    /// machine's local transport (0 when not measured: run `plan measure` under `mpirun -np 2`).
    /// Measure the transport the job uses between nodes: over TCP (`mpirun --mca btl tcp,self`)
    /// the software's cost per byte, which adds to the link's time, is ~2× shared memory's.
    public var allreduceLatencySeconds: Double
    /// β of that fit, bytes per second (0 when not measured).
    public var allreduceBytesPerSecond: Double
    /// The all-reduce timings the fit came from (empty when not measured).
    public var allreduceSamples: [AllReduceSample]
    /// `training.gradient_sync` the all-reduce was measured with (and the job will run);
    /// nil in figures files from before it existed (then `nonblocking`).
    public var gradientSync: GradientSyncMode?

    /// The all-reduce model for the job's buckets: `binomial` in every mode. The non-blocking
    /// all-reduce is a binomial tree; the thread's blocking `MPI_Allreduce` of 8 MB buckets
    /// measured the same over a link between two hosts (68 MB in 11.1 s at 100 Mbit/s, one
    /// direction at a time, where one blocking all-reduce of all 68 MB took 5.7 s).
    public var allreduceAlgorithm: AllReduceAlgorithm { .binomial }

    public init(config: String, needsTeacher: Bool, coordinatorTrains: Bool, globalBatchTokens: Int,
                studentBatchTokens: Int, studentStepSecondsPerToken: Double, teacherTokensPerSecond: Double,
                teacherMessageBytesPerToken: Double, validationSecondsPerBoundary: Double, intervalSteps: Int,
                gradientBytes: Int, allreduceBucketBytes: Int, allreduceLatencySeconds: Double,
                allreduceBytesPerSecond: Double, allreduceSamples: [AllReduceSample] = [], gradientSync: GradientSyncMode? = nil) {
        self.config = config
        self.needsTeacher = needsTeacher
        self.coordinatorTrains = coordinatorTrains
        self.globalBatchTokens = globalBatchTokens
        self.studentBatchTokens = studentBatchTokens
        self.studentStepSecondsPerToken = studentStepSecondsPerToken
        self.teacherTokensPerSecond = teacherTokensPerSecond
        self.teacherMessageBytesPerToken = teacherMessageBytesPerToken
        self.validationSecondsPerBoundary = validationSecondsPerBoundary
        self.intervalSteps = intervalSteps
        self.gradientBytes = gradientBytes
        self.allreduceBucketBytes = allreduceBucketBytes
        self.allreduceLatencySeconds = allreduceLatencySeconds
        self.allreduceBytesPerSecond = allreduceBytesPerSecond
        self.allreduceSamples = allreduceSamples
        self.gradientSync = gradientSync
    }

    /// Seconds of the job's all-reduce of `bytes` between two ranks of one machine, from the fit.
    public func localAllReduceSeconds(bytes: Double) -> Double {
        guard allreduceBytesPerSecond > 0 else { return allreduceLatencySeconds }
        return allreduceLatencySeconds + bytes / allreduceBytesPerSecond
    }

    /// Refuses figures the model cannot use, naming the field.
    public func validate() throws {
        func require(_ condition: Bool, _ field: String) throws {
            if !condition { throw ScalingModelError.invalidFigure(field) }
        }
        try require(studentStepSecondsPerToken > 0, "student_step_seconds_per_token must be > 0")
        try require(!needsTeacher || teacherTokensPerSecond > 0, "teacher_tokens_per_second must be > 0 for an objective with a teacher")
        try require(globalBatchTokens > 0 && studentBatchTokens > 0, "global_batch_tokens and student_batch_tokens must be > 0")
        try require(intervalSteps > 0, "interval_steps must be > 0")
        try require(gradientBytes >= 0 && allreduceLatencySeconds >= 0 && allreduceBytesPerSecond >= 0,
                    "gradient_bytes, allreduce_latency_seconds and allreduce_bytes_per_second must be ≥ 0")
    }
}

/// One all-reduce size of the micro-benchmark: the median seconds over its repetitions.
public struct AllReduceSample: Codable, Equatable, Sendable {
    public var bytes: Int
    public var seconds: Double

    public init(bytes: Int, seconds: Double) {
        self.bytes = bytes
        self.seconds = seconds
    }
}

/// Why the scaling model refuses its inputs.
public enum ScalingModelError: Error, CustomStringConvertible, Equatable {
    case invalidFigure(String)
    case invalidCluster(String)
    case invalidLayout(String)

    public var description: String {
        switch self {
        case .invalidFigure(let text): return "figures: \(text)"
        case .invalidCluster(let text): return "cluster: \(text)"
        case .invalidLayout(let text): return "layout: \(text)"
        }
    }
}
