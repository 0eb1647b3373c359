/// The records of a run's `metrics.jsonl`, one JSON object per line, written by rank 0.
///
/// This file is an interface (documented in the README): scripts read it, and every DDK
/// update can be recomputed from it alone (each `ddk` record holds the perplexities and
/// the weights before and after).
public enum MetricsRecord: Equatable, Sendable {
    case run(RunRecord)
    case step(StepRecord)
    case ddk(DDKRecord)
}

/// The first line: what ran, where, with which config.
public struct RunRecord: Codable, Equatable, Sendable {
    public var kind = "run"
    public var name: String
    /// The resolved config, as TOML text.
    public var config: String
    /// FNV-1a hash of the resolved config that every rank checked.
    public var configHash: String
    public var worldSize: Int
    public var teacherRanks: [Int]
    public var studentRanks: [Int]
    public var hostnames: [String]
    public var versions: [String: String]
    /// The step this process started from (0, or the checkpoint's step on `--resume`).
    public var startStep: Int
    /// With `teacher.source = "store"`: the store, and what the sampler draws from.
    public var teacherStore: TeacherStoreCoverage?

    public init(name: String, config: String, configHash: String, worldSize: Int, teacherRanks: [Int],
                studentRanks: [Int], hostnames: [String], versions: [String: String], startStep: Int) {
        self.name = name
        self.config = config
        self.configHash = configHash
        self.worldSize = worldSize
        self.teacherRanks = teacherRanks
        self.studentRanks = studentRanks
        self.hostnames = hostnames
        self.versions = versions
        self.startStep = startStep
    }

    enum CodingKeys: String, CodingKey {
        case kind, name, config
        case configHash = "config_hash"
        case worldSize = "world_size"
        case teacherRanks = "teacher_ranks"
        case studentRanks = "student_ranks"
        case hostnames, versions
        case startStep = "start_step"
        case teacherStore = "teacher_store"
    }
}

/// The teacher-target store a run reads, and per domain the training sequences the
/// sampler draws from (those the store holds) out of the shards'.
public struct TeacherStoreCoverage: Codable, Equatable, Sendable {
    public var path: String
    public var drawnSequences: [Int]
    public var trainSequences: [Int]
    /// With `store+live` when the store does not hold every drawn sequence: those it holds
    /// (the teacher pool computes the others).
    public var heldSequences: [Int]?

    enum CodingKeys: String, CodingKey {
        case path
        case drawnSequences = "drawn_sequences"
        case trainSequences = "train_sequences"
        case heldSequences = "held_sequences"
    }

    public init(path: String, drawnSequences: [Int], trainSequences: [Int]) {
        self.path = path
        self.drawnSequences = drawnSequences
        self.trainSequences = trainSequences
    }
}

/// One training step.
public struct StepRecord: Codable, Equatable, Sendable {
    public var kind = "step"
    public var step: Int
    /// The total loss, averaged over the global batch's label tokens.
    public var loss: Double
    /// The loss's named parts (`ce`, `kd`, `kd_t2s`, ...).
    public var components: [String: Double]
    public var lr: Double
    /// Global gradient norm before clipping.
    public var gradNorm: Double
    public var tokensPerSecond: Double
    public var stepSeconds: Double
    /// Time the slowest student waited for teacher outputs this step.
    public var teacherWaitSeconds: Double
    /// Time spent in gradient all-reduce not hidden behind the backward pass.
    public var allreduceSeconds: Double
    /// With `training.weight_checksums`: a hash (16 hex digits) of every student's weights
    /// after the step, in student order; all equal when the students stayed in lockstep.
    public var weightChecksums: [String]?

    public init(step: Int, loss: Double, components: [String: Double], lr: Double, gradNorm: Double,
                tokensPerSecond: Double, stepSeconds: Double, teacherWaitSeconds: Double, allreduceSeconds: Double) {
        self.step = step
        self.loss = loss
        self.components = components
        self.lr = lr
        self.gradNorm = gradNorm
        self.tokensPerSecond = tokensPerSecond
        self.stepSeconds = stepSeconds
        self.teacherWaitSeconds = teacherWaitSeconds
        self.allreduceSeconds = allreduceSeconds
    }

    enum CodingKeys: String, CodingKey {
        case kind, step, loss, components, lr
        case gradNorm = "grad_norm"
        case tokensPerSecond = "tokens_per_second"
        case stepSeconds = "step_seconds"
        case teacherWaitSeconds = "teacher_wait_seconds"
        case allreduceSeconds = "allreduce_seconds"
        case weightChecksums = "weight_checksums"
    }
}

/// One DDK re-weighting, with everything needed to recompute it.
public struct DDKRecord: Codable, Equatable, Sendable {
    public var kind = "ddk"
    /// The step at which the new weights take effect.
    public var step: Int
    public var mode: DomainWeightingMode
    public var alpha: Double
    public var domains: [Domain]
    /// A hash (16 hex digits) of the weights every world rank received, in rank order; all
    /// equal because rank 0 decides and broadcasts.
    public var rankWeightChecksums: [String]?
    /// What `student_ppl` and `teacher_ppl` are per: "token", or "byte" when student and
    /// teacher have different vocabularies (absent in logs written before it existed: token).
    public var perplexityUnit: PerplexityUnit?

    public init(step: Int, mode: DomainWeightingMode, alpha: Double, domains: [Domain]) {
        self.step = step
        self.mode = mode
        self.alpha = alpha
        self.domains = domains
    }

    enum CodingKeys: String, CodingKey {
        case kind, step, mode, alpha, domains
        case rankWeightChecksums = "rank_weight_checksums"
        case perplexityUnit = "perplexity_unit"
    }

    /// One domain's measurement and weights.
    public struct Domain: Codable, Equatable, Sendable {
        public var name: String
        public var studentPpl: Double
        public var teacherPpl: Double
        public var weightBefore: Double
        public var weightAfter: Double

        public init(name: String, studentPpl: Double, teacherPpl: Double, weightBefore: Double, weightAfter: Double) {
            self.name = name
            self.studentPpl = studentPpl
            self.teacherPpl = teacherPpl
            self.weightBefore = weightBefore
            self.weightAfter = weightAfter
        }

        enum CodingKeys: String, CodingKey {
            case name
            case studentPpl = "student_ppl"
            case teacherPpl = "teacher_ppl"
            case weightBefore = "weight_before"
            case weightAfter = "weight_after"
        }
    }
}
