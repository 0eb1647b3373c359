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
    /// `training.gradient_sync` as the run used it.
    public var gradientSync: String
    /// Mean per step of the slowest student's wait for the gradient all-reduce after backward
    /// (what the run saw: includes waiting for the other student to finish its backward pass).
    public var allreduceSecondsPerStep: Double
    /// Mean per step of the shortest such wait of any student: the sync time no student hid
    /// behind its own computation, which the step would not pay without a sync.
    public var exposedSyncSecondsPerStep: Double
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
    /// Where each rank's time went, in rank order.
    public var ranks: [RankTimeBreakdown]
    /// Model arithmetic of one step: the student's training FLOPs over the global batch plus
    /// the teacher's forward FLOPs over the tokens the pool computed (per step).
    public var modelFlopsPerStep: Double
    /// Model FLOPs of every step (the first included) over the steps' wall time.
    public var modelGflopsPerSecond: Double
    /// One thread's sgemm peak, measured by rank 0 in the same run (0 when not measured).
    public var sgemmPeakGflopsPerCore: Double
    /// Cores of the job: distinct hosts × rank 0's cores.
    public var cores: Int
    /// `model_gflops_per_second` / (`sgemm_peak_gflops_per_core` × `cores`): how much of the
    /// machine's peak became model arithmetic.
    public var machineUtilization: Double
}
