import Foundation

/// Everything one `ddk distill` run needs, read from a TOML file (`launch/configs/*.toml`)
/// with command-line overrides. Rank 0 reads and validates it, broadcasts it, and every rank
/// checks that its own view hashes the same.
///
/// Keys are snake_case in the file; every section and key is documented in the README's
/// "Configuration" section. Unknown keys are refused (a typo must not silently fall back to a
/// default).
public struct DistillConfig: Codable, Equatable, Sendable {
    /// The run's name; the run folder defaults to `runs/NAME`.
    public var name: String
    /// Seed of every random choice in the run (initialization, batches, validation split use).
    public var seed: UInt64
    /// Where metrics, the resolved config and checkpoints go; default `runs/NAME`.
    public var runDirectory: String?
    public var student: StudentSection
    public var teacher: TeacherSection
    public var data: DataSection
    public var objective: ObjectiveSection
    public var optimizer: OptimizerSection
    public var training: TrainingSection
    public var ddk: DDKSection
    public var checkpoint: CheckpointSection
    /// The teacher-target store `ddk capture` writes; nil: every default.
    public var store: StoreSection?

    enum CodingKeys: String, CodingKey {
        case name, seed
        case runDirectory = "run_directory"
        case student, teacher, data, objective, optimizer, training, ddk, checkpoint, store
    }

    /// The run folder: `run_directory`, or `runs/NAME`.
    public var resolvedRunDirectory: String { runDirectory ?? "runs/\(name)" }

    /// How the student starts.
    public struct StudentSection: Codable, Equatable, Sendable {
        /// `random` (seeded), `teacher-layers` (selected teacher blocks, embeddings and norms),
        /// or `checkpoint` (a SwiftDDK checkpoint directory).
        public var initialization: StudentInitialization
        /// Architecture for `random`: width, FFN width, layers, heads, KV heads; the vocabulary
        /// and RoPE settings come from the teacher.
        public var hiddenSize: Int?
        public var intermediateSize: Int?
        public var layerCount: Int?
        public var headCount: Int?
        public var keyValueHeadCount: Int?
        /// Teacher blocks kept by `teacher-layers`, e.g. every third block `[0, 3, 6, ...]`.
        public var teacherLayers: [Int]?
        /// Checkpoint directory for `checkpoint`.
        public var checkpoint: String?
        /// A GGUF file whose tokenizer wrote the shards, when it is not the teacher's: the
        /// student reads that vocabulary (a random student also takes that file's RoPE base
        /// and norm ε) and the teacher re-tokenizes the text (`dskd-cma`, or `ce`).
        public var tokenizer: String?

        public init(initialization: StudentInitialization, hiddenSize: Int? = nil, intermediateSize: Int? = nil,
                    layerCount: Int? = nil, headCount: Int? = nil, keyValueHeadCount: Int? = nil,
                    teacherLayers: [Int]? = nil, checkpoint: String? = nil, tokenizer: String? = nil) {
            self.initialization = initialization
            self.hiddenSize = hiddenSize
            self.intermediateSize = intermediateSize
            self.layerCount = layerCount
            self.headCount = headCount
            self.keyValueHeadCount = keyValueHeadCount
            self.teacherLayers = teacherLayers
            self.checkpoint = checkpoint
            self.tokenizer = tokenizer
        }

        enum CodingKeys: String, CodingKey {
            case initialization = "init"
            case hiddenSize = "hidden_size"
            case intermediateSize = "intermediate_size"
            case layerCount = "num_hidden_layers"
            case headCount = "num_attention_heads"
            case keyValueHeadCount = "num_key_value_heads"
            case teacherLayers = "teacher_layers"
            case checkpoint, tokenizer
        }
    }

    /// Student initialization modes.
    public enum StudentInitialization: String, Codable, Equatable, Sendable {
        case random
        case teacherLayers = "teacher-layers"
        case checkpoint
    }

    /// The frozen teacher and its inference pool.
    public struct TeacherSection: Codable, Equatable, Sendable {
        /// A GGUF file or a SwiftDDK checkpoint directory.
        public var model: String
        /// Ranks in the teacher-inference pool; nil = sized from the FLOP ratio.
        public var ranks: Int?
        /// Steps of teacher output in flight ahead of the students (back-pressure bound).
        public var prefetchDepth: Int
        /// Seconds a student waits for its teacher before the job is aborted.
        public var timeoutSeconds: Double
        /// Teacher positions per sequence (TT) when the teacher re-tokenizes the text
        /// (`dskd-cma`); default T + T/4 + 1 (`JobVocabularies.teacherSequenceLength`). Longer texts are cut.
        public var sequenceLength: Int?
        /// Where the students' teacher outputs come from; nil: `live`.
        public var source: TeacherSource?

        /// `source`, else `live`.
        public var resolvedSource: TeacherSource { source ?? .live }

        enum CodingKeys: String, CodingKey {
            case model, ranks, source
            case prefetchDepth = "prefetch_depth"
            case timeoutSeconds = "timeout_seconds"
            case sequenceLength = "sequence_length"
        }
    }

    /// Token shards made by `ddk prepare`.
    public struct DataSection: Codable, Equatable, Sendable {
        /// The folder holding `domains.json` and the shards.
        public var shards: String
        /// Tokens per training sequence (T); each sequence reads T+1 tokens.
        public var sequenceLength: Int
        /// Sequences in one global batch, split evenly over the students.
        public var globalBatchSequences: Int
        /// Validation sequences evaluated per domain at every DDK interval.
        public var validationSequences: Int
        /// The sampler draws only from the first this many training sequences of each domain
        /// (nil: all of them), cycling through them as through a domain that runs out.
        public var trainSequencesPerDomain: Int?

        enum CodingKeys: String, CodingKey {
            case shards
            case sequenceLength = "sequence_length"
            case globalBatchSequences = "global_batch_sequences"
            case validationSequences = "validation_sequences"
            case trainSequencesPerDomain = "train_sequences_per_domain"
        }
    }

    /// The training loss (docs/ALGORITHMS.md §2).
    public struct ObjectiveSection: Codable, Equatable, Sendable {
        /// The objective: one of `ObjectiveKind.names`.
        public var name: String
        /// KD distance: one of `Distance.names`.
        public var distance: String?
        /// KD temperature τ, applied to both sides.
        public var temperature: Double?
        /// Weight of the KD term with CE weight 1 (DDK's γ = 0.2): `L = CE + γ·KD`.
        public var kdWeight: Double?
        /// Interpolation weight λ (DSKD's parameterization): `L = (1−λ)·CE + λ·KD`.
        /// Give either `kd_weight` or `lambda`, not both.
        public var lambda: Double?
        /// Teacher targets sent as the top-k log-probabilities plus the tail mass; nil = full.
        public var topK: Int?
        /// Skew λ of `sfkl`/`srkl`.
        public var skew: Double?
        /// Learning rate of the DSKD projectors.
        public var projectorLearningRate: Double?

        enum CodingKeys: String, CodingKey {
            case name, distance, temperature
            case kdWeight = "kd_weight"
            case lambda
            case topK = "top_k"
            case skew
            case projectorLearningRate = "projector_learning_rate"
        }
    }

    /// AdamW and the learning-rate schedule.
    public struct OptimizerSection: Codable, Equatable, Sendable {
        public var learningRate: Double
        public var minimumLearningRate: Double
        public var warmupSteps: Int
        public var weightDecay: Double
        public var beta1: Double
        public var beta2: Double
        public var epsilon: Double
        /// Global gradient-norm clip; 0 disables clipping.
        public var gradientClip: Double

        enum CodingKeys: String, CodingKey {
            case learningRate = "learning_rate"
            case minimumLearningRate = "min_learning_rate"
            case warmupSteps = "warmup_steps"
            case weightDecay = "weight_decay"
            case beta1 = "beta1"
            case beta2 = "beta2"
            case epsilon
            case gradientClip = "gradient_clip"
        }
    }

    /// The training loop.
    public struct TrainingSection: Codable, Equatable, Sendable {
        public var steps: Int
        /// Whether rank 0 also trains as a student.
        public var coordinatorTrains: Bool
        /// Size of one fused gradient all-reduce bucket.
        public var allreduceBucketMegabytes: Double
        /// How the gradient all-reduce runs; nil = `GradientSyncMode.nonblocking`.
        public var gradientSync: GradientSyncMode?
        /// `gradient_sync`, or its default: `nonblocking`, the mode every launch path passes
        /// with (the thread modes hung under Slurm's mpirun with two ranks per node; README).
        public var resolvedGradientSync: GradientSyncMode { gradientSync ?? .nonblocking }
        /// The nice value students take on a host with more ranks than cores that they share
        /// with teacher ranks (0 = never); nil = `defaultStudentNiceness`.
        public var studentNiceness: Int?
        /// Students yield a shared core to teachers by nice 5 unless `student_niceness` says otherwise.
        public static let defaultStudentNiceness = 5
        /// `student_niceness`, or its default.
        public var resolvedStudentNiceness: Int { studentNiceness ?? Self.defaultStudentNiceness }
        /// Stop cleanly after this many seconds of training; checked at DDK interval
        /// boundaries (the decision is rank 0's, broadcast with the weights); nil = no limit.
        public var timeLimitSeconds: Double?
        /// Log a checksum of every student's weights in each step record (tests compare them).
        public var weightChecksums: Bool?
        /// Seconds a rank waits in one of the job's collectives (DDK boundary, per-step
        /// figures, teacher perplexity) before it reports the job hung and aborts it;
        /// nil = `defaultCollectiveTimeoutSeconds`. A hang detector, not a step budget:
        /// the per-step gather waits for the slowest student's whole step.
        public var collectiveTimeoutSeconds: Double?

        /// The deadline of a collective when `collective_timeout_seconds` is not set (15 minutes).
        public static let defaultCollectiveTimeoutSeconds = 900.0

        /// `collective_timeout_seconds`, or its default.
        public var resolvedCollectiveTimeoutSeconds: Double { collectiveTimeoutSeconds ?? Self.defaultCollectiveTimeoutSeconds }
        /// Seconds between a rank's heartbeats to the others, by which a timed-out collective
        /// names the ranks that fell silent; 0 turns them off; nil = `defaultHeartbeatSeconds`.
        public var heartbeatSeconds: Double?
        /// Heartbeats every 2 s unless `heartbeat_seconds` says otherwise.
        public static let defaultHeartbeatSeconds = 2.0
        /// `heartbeat_seconds`, or its default.
        public var resolvedHeartbeatSeconds: Double { heartbeatSeconds ?? Self.defaultHeartbeatSeconds }

        enum CodingKeys: String, CodingKey {
            case steps
            case coordinatorTrains = "coordinator_trains"
            case allreduceBucketMegabytes = "allreduce_bucket_megabytes"
            case gradientSync = "gradient_sync"
            case studentNiceness = "student_niceness"
            case timeLimitSeconds = "time_limit_seconds"
            case weightChecksums = "weight_checksums"
            case collectiveTimeoutSeconds = "collective_timeout_seconds"
            case heartbeatSeconds = "heartbeat_seconds"
        }
    }

    /// DDK domain re-weighting (docs/ALGORITHMS.md §1).
    public struct DDKSection: Codable, Equatable, Sendable {
        public var mode: DomainWeightingMode
        /// Smoothing α of Eq. 2.
        public var alpha: Double
        /// K: steps between re-weightings.
        public var intervalSteps: Int
        /// Weights for `static` mode, in the order of `domains.json`.
        public var staticWeights: [Double]?

        enum CodingKeys: String, CodingKey {
            case mode, alpha
            case intervalSteps = "interval_steps"
            case staticWeights = "static_weights"
        }
    }

    /// When checkpoints are written.
    public struct CheckpointSection: Codable, Equatable, Sendable {
        /// Steps between checkpoints; the last step always writes one.
        public var everySteps: Int

        enum CodingKeys: String, CodingKey {
            case everySteps = "every_steps"
        }
    }

    /// The teacher-target store: top-k teacher targets of the training sequences, captured
    /// once by `ddk capture`.
    public struct StoreSection: Codable, Equatable, Sendable {
        /// The store's folder; default `teacher-store` next to `domains.json`.
        public var path: String?
        /// Training sequences captured per domain (its first ones, in the shards' order); default all.
        public var sequencesPerDomain: Int?
        /// 32: float32 log-probabilities, exact; 4...16: the square-root code. Default 8.
        public var logProbabilityBits: Int?
        /// Sequences per block, the unit of capture, checksum and resume. Default 8.
        public var blockSequences: Int?

        enum CodingKeys: String, CodingKey {
            case path
            case sequencesPerDomain = "sequences_per_domain"
            case logProbabilityBits = "log_probability_bits"
            case blockSequences = "block_sequences"
        }

        public init(path: String? = nil, sequencesPerDomain: Int? = nil, logProbabilityBits: Int? = nil, blockSequences: Int? = nil) {
            self.path = path
            self.sequencesPerDomain = sequencesPerDomain
            self.logProbabilityBits = logProbabilityBits
            self.blockSequences = blockSequences
        }

        public static let defaultLogProbabilityBits = 8
        public static let defaultBlockSequences = 8
    }
}
