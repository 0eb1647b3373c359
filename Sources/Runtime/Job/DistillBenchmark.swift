import TrainingCore

/// The figures of `ddk bench distill`, measured on one run of the job (rank 0 assembles
/// them from the step records and the figures every rank reports at the end).
///
/// JSON field names are an interface (README): the properties' names in snake_case.
public struct DistillBenchmark: Encodable {
    public var worldSize: Int
    public var teacherRanks: [Int]
    public var studentRanks: [Int]
    /// Steps measured (the first step of the run, which fills the teacher pipeline, is left out).
    public var stepsMeasured: Int
    public var stepSecondsMean: Double
    /// Student tokens trained per second of wall time (global batch tokens / step time).
    public var studentTokensPerSecond: Double
    /// Σ (slowest student's wait for teacher outputs) / Σ step time.
    public var teacherWaitFraction: Double
    /// Mean per step of the bucketed gradient all-reduce as the run saw it (slowest student;
    /// includes waiting for the slower student to finish its backward pass).
    public var allreduceSecondsPerStep: Double
    /// The bucketed all-reduce of the gradient from a synchronized start (barrier), best of 3.
    public var bucketedAllreduceSeconds: Double
    /// A blocking MPI_Allreduce of the same number of bytes on the same communicator, in the
    /// same run (best of 3, slowest student).
    public var bareAllreduceSeconds: Double
    public var allreduceBytes: Int
    public var allreduceBuckets: Int
    /// Σ teacher compute time / Σ teacher serving wall time, over the pool (1 = never idle).
    public var teacherPoolUtilization: Double
    /// Mean seconds a teacher rank spent waiting for students' credits (back-pressure).
    public var teacherCreditWaitSeconds: Double
    /// The largest share of a rank's wall time spent sending and taking heartbeats
    /// (`training.heartbeat_seconds`; 0 when off).
    public var heartbeatFraction: Double
}
