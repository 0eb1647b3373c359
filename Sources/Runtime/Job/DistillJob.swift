import DataPipeline
import Distillation
import Engine
import Foundation
import LanguageModels
import MPI
import TrainingCore

/// One `ddk distill` run on every rank of the world (docs/RUNTIME_DESIGN.md):
///
///     roles and communicators      RoleLayout, JobCommunicators (split of world)
///     data                         every rank derives every batch (BatchPlan)
///     teacher perplexity           once, by the pool (or rank 0), cached on disk
///     per DDK interval             students' validation → rank 0 decides → broadcast on world
///                                  teachers serve the interval's steps, then drain
///                                  students train; per-step figures gathered on rank 0
///
/// Every rank runs the same sequence of collectives on each communicator whatever its data;
/// the only decisions (weights, stop) are rank 0's, broadcast. Errors are thrown; the
/// caller prints them with the rank and role and aborts the world.
public final class DistillJob {
    /// Run options that are not part of the config.
    public struct Options {
        /// After step 0, rank 0 recomputes the whole global batch's gradient alone and
        /// compares it with the students' summed gradient (`gradient_check.json`).
        public var checkGradient = false
        /// Versions recorded in the run record.
        public var versions: [String: String] = [:]
        /// At the end, measure a bare all-reduce and gather the pool's timings (`ddk bench distill`).
        public var benchmark = false
        /// `--resume`: a checkpoint folder, `latest` or `auto` (rank 0's value counts).
        public var resume: String?
        public init(checkGradient: Bool = false, versions: [String: String] = [:], benchmark: Bool = false,
                    resume: String? = nil) {
            self.checkGradient = checkGradient
            self.versions = versions
            self.benchmark = benchmark
            self.resume = resume
        }
    }

    /// What the run ended with (on rank 0; other ranks get `nil` fields).
    public struct Summary {
        public var stepsRun: Int
        public var lastDDK: DDKRecord?
        public var gradientCheck: GradientCheck?
        public var metricsPath: String?
        public var benchmark: DistillBenchmark?
    }

    public let world: Communicator
    public let config: DistillConfig
    public let configHash: String
    public let teacher: ModelSource
    /// The student's vocabulary and, when it differs or for `dskd-cma`, the teacher's.
    public let vocabularies: JobVocabularies
    public let options: Options
    public let layout: RoleLayout
    let objective: StudentObjective
    /// Hooks for the test scripts (`TestHooks`, from the environment).
    let testHooks: TestHooks
    /// The heartbeats (started by `setUp` once the host names are known; nil when off).
    var liveness: LivenessMonitor?
    /// Distinct hosts of the world (known after `setUp`).
    var hostCount = 1

    /// Lays out the roles (refusing a world too small for them, on every rank alike).
    public init(world: Communicator, config: DistillConfig, configHash: String, teacher: ModelSource,
                options: Options = Options()) throws {
        testHooks = try TestHooks.fromEnvironment()
        self.world = world
        self.config = config
        self.configHash = configHash
        self.teacher = teacher
        vocabularies = try JobVocabularies(config: config, teacher: teacher)
        self.options = options
        objective = try StudentObjective(section: config.objective)
        layout = try RoleLayout(worldSize: world.size, teacherCount: config.teacher.ranks ?? 1,
                                coordinatorTrains: config.training.coordinatorTrains,
                                needsTeacher: Self.needsTeacherRanks(config, objective: objective))
        if options.checkGradient && config.teacher.resolvedSource.readsStore {
            throw StudentInitializationError("--check-gradient compares against live teacher targets; it does not run with a teacher-target store")
        }
        if options.checkGradient && !layout.studentRanks.contains(0) {
            throw StudentInitializationError("--check-gradient needs rank 0 to train (training.coordinator_trains = true)")
        }
    }

    /// The roles of this rank, for messages ("coordinator+student").
    public static func roleName(_ roles: Set<Role>) -> String {
        Role.allCases.filter { roles.contains($0) }.map(\.rawValue).joined(separator: "+")
    }

    /// Fills in the defaults that depend on the world and the models (`teacher.ranks`);
    /// runs on rank 0 before the config is broadcast.
    public static func resolveDefaults(_ config: DistillConfig, worldSize: Int, teacher: ModelSource) throws -> DistillConfig {
        var resolved = config
        if resolved.teacher.ranks == nil && config.teacher.resolvedSource == .store {
            resolved.teacher.ranks = 0
        } else if resolved.teacher.ranks == nil {
            let vocabularies = try JobVocabularies(config: config, teacher: teacher)
            let student = try StudentInitializer.architecture(config.student, teacher: vocabularies.studentSource.config)
            let objective = try StudentObjective(section: config.objective)
            resolved.teacher.ranks = objective.needsTeacher || worldSize == 1
                ? TeacherPoolSizing.defaultTeacherRanks(worldSize: worldSize, teacher: teacher.architecture.shape, student: student,
                                                        sequenceLength: config.data.sequenceLength,
                                                        coordinatorTrains: config.training.coordinatorTrains)
                : 0
        }
        return resolved
    }

    /// Sets up this rank's parts (`DistillJob+Setup`), runs the DDK intervals (at each
    /// boundary rank 0 decides the weights; then teachers serve, students train), and ends the
    /// run (`finish`).
    public func run() throws -> Summary {
        var parts = try setUp()
        var ledger = IntervalLedger(lastCheckpoint: parts.startStep)
        let steps = config.training.steps
        let interval = config.ddk.intervalSteps
        let trainingStarted = Date()
        // A run resumed between boundaries first finishes the interval it was in.
        var boundary = parts.startStep
        var atBoundary = boundary % interval == 0 || boundary >= steps
        var lastDDK: DDKRecord?
        while true {
            if atBoundary {
                let decision = try decideWeights(at: boundary, parts, trainingStarted: trainingStarted)
                if let record = decision.record { lastDDK = record }
                if boundary >= steps || decision.stop { break }
                try parts.plan.setWeights(decision.weights, fromStep: boundary)
            }
            atBoundary = true
            let end = min((boundary / interval + 1) * interval, steps)
            try runInterval(boundary..<end, &parts, &ledger)
            boundary = end
        }
        return try finish(parts, ledger, stoppedAfter: boundary, lastDDK: lastDDK)
    }

    /// "h1 [0, 1], h2 [2, 3]": world ranks grouped by host name, hosts in rank order.
    static func ranksByHost(_ hostnames: [String]) -> String {
        var hosts: [String] = []
        var ranks: [String: [Int]] = [:]
        for (rank, host) in hostnames.enumerated() {
            if ranks[host] == nil { hosts.append(host) }
            ranks[host, default: []].append(rank)
        }
        return hosts.map { "\($0) \(ranks[$0, default: []])" }.joined(separator: ", ")
    }
}
