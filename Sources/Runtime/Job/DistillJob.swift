import DataPipeline
import Distillation
import Engine
import Foundation
import LanguageModels
import MPI

/// One `ddk distill` run on every rank of the world (RUNTIME_DESIGN.md):
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
        /// Tests only: sleep this long with the checkpoint of this step half written.
        public var checkpointStall: (step: Int, seconds: Double)?
        public init(checkGradient: Bool = false, versions: [String: String] = [:], benchmark: Bool = false,
                    resume: String? = nil, checkpointStall: (step: Int, seconds: Double)? = nil) {
            self.checkGradient = checkGradient
            self.versions = versions
            self.benchmark = benchmark
            self.resume = resume
            self.checkpointStall = checkpointStall
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
    public let options: Options
    public let layout: RoleLayout
    let objective: StudentObjective

    /// Lays out the roles (refusing a world too small for them, on every rank alike).
    public init(world: Communicator, config: DistillConfig, configHash: String, teacher: ModelSource,
                options: Options = Options()) throws {
        self.world = world
        self.config = config
        self.configHash = configHash
        self.teacher = teacher
        self.options = options
        objective = try StudentObjective(section: config.objective)
        layout = try RoleLayout(worldSize: world.size, teacherCount: config.teacher.ranks ?? 1,
                                coordinatorTrains: config.training.coordinatorTrains, needsTeacher: objective.needsTeacher)
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
        if resolved.teacher.ranks == nil {
            let student = try StudentInitializer.architecture(config.student, teacher: teacher.config)
            let objective = try StudentObjective(section: config.objective)
            resolved.teacher.ranks = objective.needsTeacher || worldSize == 1
                ? TeacherPoolSizing.defaultTeacherRanks(worldSize: worldSize, teacher: teacher.config, student: student,
                                                        sequenceLength: config.data.sequenceLength,
                                                        coordinatorTrains: config.training.coordinatorTrains)
                : 0
        }
        return resolved
    }

    public func run() throws -> Summary {
        let rank = world.rank
        let communicators = try JobCommunicators(world: world, layout: layout)
        let T = config.data.sequenceLength
        let V = teacher.config.vocabularySize
        let dataset = try PreparedDataset(summaryPath: config.data.shards, tokenizerIdentity: try teacher.requiredTokenizerIdentity(),
                                          vocabularySize: V, sequenceLength: T,
                                          validationSequences: config.data.validationSequences, shuffleSeed: config.seed)
        var plan = try BatchPlan(dataset: dataset, seed: config.seed, globalBatchSequences: config.data.globalBatchSequences,
                                 studentCount: layout.studentRanks.count)
        let localBatch = plan.localBatchSequences
        let domainCount = dataset.domains.count
        let studentIndex = layout.studentIndex(ofRank: rank)
        let teacherIndex = layout.teacherIndex(ofRank: rank)
        let perplexityWorkers = layout.teacherRanks.isEmpty ? [0] : layout.teacherRanks
        let format = TeacherMessageFormat(requirements: objective.requirements, rows: localBatch * T, k: objective.topK,
                                          vocabularySize: V, hiddenWidth: teacher.config.hiddenSize,
                                          temperature: objective.temperature)
        let sharding = ValidationSharding(dataset: dataset, sequencesPerDomain: config.data.validationSequences)
        let resumePoint = try agreeOnResumePoint(dataset: dataset)
        let startStep = resumePoint?.state.step ?? 0
        if let resumePoint { try plan.resume(history: resumePoint.state.weightHistory, cursor: resumePoint.state.samplerCursor) }

        // Rank 0: run folder, metrics, the first record.
        var metrics: MetricsLog?
        var progress: ProgressPrinter?
        let runDirectory = config.resolvedRunDirectory
        let hostnames = try world.gatherVariable(Array(ProcessInfo.processInfo.hostName.utf8), root: 0,
                                                 within: collectiveDeadline, on: "world", for: "host-name gather at start-up")
        if rank == 0 {
            try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
            try Data(try config.tomlText().utf8).write(to: URL(fileURLWithPath: runDirectory + "/config.toml"))
            let metricsPath = runDirectory + "/metrics.jsonl"
            var resetLatest = false
            if resumePoint == nil {
                try? FileManager.default.removeItem(atPath: metricsPath)
                // A fresh run in a folder of an earlier one: `latest` must not name that run's
                // checkpoint (its step folders stay, and are replaced as this run reaches them).
                let latest = runDirectory + "/checkpoints/" + TrainingCheckpoint.latestFileName
                if FileManager.default.fileExists(atPath: latest) {
                    try FileManager.default.removeItem(atPath: latest)
                    resetLatest = true
                }
            } else {
                try MetricsLog.keepRecords(before: startStep, path: metricsPath)
            }
            metrics = try MetricsLog(path: metricsPath)
            try metrics!.append(.run(RunRecord(
                name: config.name, config: try config.tomlText(), configHash: configHash, worldSize: world.size,
                teacherRanks: layout.teacherRanks, studentRanks: layout.studentRanks,
                hostnames: (hostnames ?? []).map { String(decoding: $0, as: UTF8.self) },
                versions: options.versions, startStep: startStep)))
            progress = ProgressPrinter(totalSteps: config.training.steps)
            progress!.line("distill \(config.name): \(layout); objective \(config.objective.name); "
                + "\(domainCount) domains; global batch \(config.data.globalBatchSequences)×\(T); run folder \(runDirectory)")
            progress!.line("distill \(config.name): ranks on hosts: " + Self.ranksByHost(
                (hostnames ?? []).map { String(decoding: $0, as: UTF8.self) }))
            if let resumePoint { progress!.line("distill \(config.name): resuming after step \(startStep) from \(resumePoint.folder.path)") }
            if resetLatest {
                progress!.line("distill \(config.name): starting at step 0 in \(runDirectory), which holds an earlier run's "
                    + "checkpoints: checkpoints/latest is reset (use --resume to continue that run instead)")
            }
        }

        // The teacher on the ranks that run it (and on rank 0 when it must measure the
        // teacher's perplexity itself: a `ce` job without teacher ranks).
        var worker: TeacherWorker?
        if teacherIndex != nil || perplexityWorkers.contains(rank) {
            worker = TeacherWorker(model: try teacher.load(localBatch, T), format: format)
        }

        // Teacher per-domain validation perplexity: cached, else measured by the pool.
        let teacherSums = try teacherValidationSums(sharding: sharding, workers: perplexityWorkers, worker: worker,
                                                    maxBatch: localBatch, progress: progress)
        if teacherIndex == nil && !layout.isSingleProcess { worker = nil }  // rank 0 measured it; free the memory

        // Rank 0 decides the weights.
        var coordinator: DDKCoordinator?
        if rank == 0 {
            coordinator = DDKCoordinator(
                weighting: try DomainWeighting(mode: config.ddk.mode, alpha: config.ddk.alpha, staticWeights: config.ddk.staticWeights),
                domainNames: dataset.domainNames, teacherPerplexity: ValidationSharding.perplexities(teacherSums))
            if let resumePoint { try coordinator!.resume(weights: resumePoint.state.currentWeights) }
        }

        // Students.
        var trainer: StudentTrainer?
        var channel: TeacherChannel?
        var initialParameters: [Float]?
        var teacherHead: [Float]?
        if let studentIndex {
            let model = try StudentInitializer.makeModel(config.student, teacher: teacher, batchSize: localBatch,
                                                         sequenceLength: T, seed: config.seed)
            let synchronizer = communicators.students.map {
                GradientSynchronizer(communicator: $0, gradients: model.gradients,
                                     bucketBytes: Int(config.training.allreduceBucketMegabytes * 1_048_576),
                                     deadline: gradientDeadline)
            }
            if objective.requirements.contains(.headMatrix) {
                teacherHead = try Self.teacherHead(teacher)
                try objective.prepareDualSpace(studentWidth: model.config.hiddenSize, teacherWidth: teacher.config.hiddenSize,
                                               vocabularySize: V, teacherHead: teacherHead!, seed: config.seed,
                                               weightDecay: config.optimizer.weightDecay)
            }
            trainer = StudentTrainer(model: model, objective: objective, optimizer: config.optimizer,
                                     totalSteps: config.training.steps, synchronizer: synchronizer,
                                     globalLabelCount: config.data.globalBatchSequences * T)
            if let resumePoint { try TrainingCheckpoint.restore(trainer!, from: resumePoint.folder, state: resumePoint.state) }
            if options.checkGradient && rank == 0 {
                trainer!.keepsSummedGradient = true
                initialParameters = model.parameters.toArray()
            }
            if objective.needsTeacher {
                if layout.isSingleProcess {
                    channel = LocalTeacherChannel(worker: worker!, studentIndex: studentIndex)
                } else {
                    channel = RemoteTeacherChannel(world: world, teacherRank: layout.teacherRank(servingStudentIndex: studentIndex)!,
                                                   studentIndex: studentIndex, format: format,
                                                   prefetchDepth: config.teacher.prefetchDepth,
                                                   timeoutSeconds: config.teacher.timeoutSeconds)
                }
            }
        }
        var service: TeacherService?
        if teacherIndex != nil, objective.needsTeacher, !layout.isSingleProcess, let worker {
            service = TeacherService(worker: worker, world: world, layout: layout, prefetchDepth: config.teacher.prefetchDepth,
                                     timeoutSeconds: config.teacher.timeoutSeconds)
        }

        // The intervals. A run resumed between boundaries first finishes the interval it was in.
        var parts = RankParts(plan: plan, communicators: communicators, sharding: sharding, studentIndex: studentIndex,
                              trainer: trainer, channel: channel, service: service, coordinator: coordinator,
                              metrics: metrics, progress: progress)
        var ledger = IntervalLedger(lastCheckpoint: startStep)
        let steps = config.training.steps
        let interval = config.ddk.intervalSteps
        let trainingStarted = Date()
        var boundary = startStep
        var atBoundary = startStep % interval == 0 || startStep >= steps
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
            if let service {
                try serveInterval(boundary..<end, by: service, &parts, &ledger)
            } else if let trainers = communicators.trainers {
                try trainInterval(boundary..<end, on: trainers, &parts, &ledger)
            } else {
                for _ in boundary..<end { _ = try parts.plan.nextStep() }  // a teacher rank of a `ce` job: idle
            }
            boundary = end
        }
        progress?.finish()
        plan = parts.plan
        // Stopped early by the time limit: keep where it stopped.
        if let trainer, studentIndex == 0, ledger.lastCheckpoint != boundary {
            try writeCheckpoint(trainer, plan: plan, afterStep: boundary)
        }

        var gradientCheck: GradientCheck?
        if options.checkGradient, rank == 0, let trainer, let initialParameters, let stepZeroAssignments = ledger.stepZeroAssignments {
            let singleObjective = try StudentObjective(section: config.objective)
            if let teacherHead {
                try singleObjective.prepareDualSpace(studentWidth: trainer.model.config.hiddenSize, teacherWidth: teacher.config.hiddenSize,
                                                     vocabularySize: V, teacherHead: teacherHead, seed: config.seed,
                                                     weightDecay: config.optimizer.weightDecay)
            }
            gradientCheck = try GradientCheck.compare(
                distributed: trainer.firstSummedGradient ?? [], initialParameters: initialParameters,
                architecture: trainer.model.config, objective: singleObjective,
                plan: plan, assignments: stepZeroAssignments, studentCount: layout.studentRanks.count,
                teacher: objective.needsTeacher ? (worker ?? TeacherWorker(model: try teacher.load(localBatch, T), format: format)) : nil)
            try gradientCheck!.write(to: runDirectory + "/gradient_check.json")
            progress?.line(gradientCheck!.summary)
        }
        var benchmark: DistillBenchmark?
        if options.benchmark {
            var bare = 0.0, bucketed = 0.0
            if let synchronizer = trainer?.synchronizer, let students = communicators.students {
                // Both from a synchronized start (a barrier first), best of 3: the same bytes
                // through the bucketed non-blocking path and through one blocking MPI_Allreduce.
                let deadline = collectiveDeadline
                bare = try (0..<3).map { _ in
                    try students.barrier(within: deadline, on: "students", for: "benchmark barrier")
                    return try synchronizer.bareAllReduceSeconds()
                }.min()!
                bucketed = try (0..<3).map { _ in
                    try students.barrier(within: deadline, on: "students", for: "benchmark barrier")
                    return try synchronizer.sumGradients(purpose: "benchmark gradient all-reduce")
                }.min()!
            }
            let local = [service?.computeSeconds ?? 0, ledger.servingSeconds, service?.creditWaitSeconds ?? 0, bare,
                         service == nil ? 0 : 1, bucketed]
            if let gathered = try world.gather(local, root: 0, within: collectiveDeadline, on: "world", for: "benchmark figures gather") {
                benchmark = benchmarkFigures(stepRecords: ledger.stepRecords, gathered: gathered,
                                             parameterCount: trainer?.model.layout.count ?? 0,
                                             buckets: trainer?.synchronizer?.buckets.count ?? 0)
            }
        }
        // The final weights' checksum (equal on every student), so runs can be compared by one line.
        let finalChecksums = try communicators.trainers?.gather(trainer?.weightChecksum() ?? 0, root: 0, within: collectiveDeadline,
                                                                on: "trainers", for: "final weights checksum gather")
        if rank == 0, let finalChecksums, let student = communicators.trainerRanks.firstIndex(of: layout.studentRanks[0]) {
            progress?.line("distill \(config.name): done after step \(boundary); final weights checksum "
                + "\(ContentHash.hex(finalChecksums[student])); metrics in \(runDirectory)/metrics.jsonl")
        }
        return Summary(stepsRun: boundary, lastDDK: lastDDK, gradientCheck: gradientCheck,
                       metricsPath: rank == 0 ? runDirectory + "/metrics.jsonl" : nil, benchmark: benchmark)
    }

    /// "h1 [0, 1], h2 [2, 3]": world ranks grouped by host name, hosts in rank order.
    static func ranksByHost(_ hostnames: [String]) -> String {
        var hosts: [String] = []
        var ranks: [String: [Int]] = [:]
        for (rank, host) in hostnames.enumerated() {
            if ranks[host] == nil { hosts.append(host) }
            ranks[host, default: []].append(rank)
        }
        return hosts.map { "\($0) \(ranks[$0]!)" }.joined(separator: ", ")
    }

    /// The teacher's LM-head matrix (V,dT), read once by each student for `dskd`.
    static func teacherHead(_ teacher: ModelSource) throws -> [Float] {
        let frozen = try teacher.load(1, 1)
        let count = teacher.config.vocabularySize * teacher.config.hiddenSize
        return Array(frozen.parameters.slice(offset: frozen.layout.lmHead, count: count))
    }

    /// Rank 0 turns the gathered per-trainer figures into the step record.
    func stepRecord(step: Int, gathered: [Double], checksums: [UInt64]?, names: [String], trainerRanks: [Int],
                    seconds: Double, learningRate: Double) -> StepRecord {
        let stride = names.count + 5
        var sums = [Double](repeating: 0, count: names.count)
        var wait = 0.0, allreduce = 0.0, gradientNorm = 0.0
        var studentChecksums: [String] = []
        for member in trainerRanks.indices {
            let entry = Array(gathered[member * stride..<(member + 1) * stride])
            guard entry[stride - 1] == 1 else { continue }  // rank 0 not training
            for index in names.indices { sums[index] += entry[index] }
            wait = max(wait, entry[names.count])
            allreduce = max(allreduce, entry[names.count + 1])
            gradientNorm = entry[names.count + 3]
            if let checksums { studentChecksums.append(ContentHash.hex(checksums[member])) }
        }
        let labels = Double(config.data.globalBatchSequences * config.data.sequenceLength)
        var components: [String: Double] = [:]
        for (index, name) in names.enumerated() where name != "total" { components[name] = sums[index] / labels }
        var record = StepRecord(step: step, loss: sums[names.firstIndex(of: "total")!] / labels, components: components,
                                lr: learningRate, gradNorm: gradientNorm, tokensPerSecond: labels / max(seconds, 1e-9),
                                stepSeconds: seconds, teacherWaitSeconds: wait, allreduceSeconds: allreduce)
        record.weightChecksums = checksums == nil ? nil : studentChecksums
        return record
    }
}
