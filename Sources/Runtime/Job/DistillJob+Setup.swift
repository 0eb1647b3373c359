import DataPipeline
import Distillation
import Engine
import Foundation
import LanguageModels
import MPI
import TrainingCore

/// What one rank holds for the run, built once by `DistillJob.setUp()`: the plan every rank
/// advances in lockstep, its role's part, and on rank 0 the coordinator's part.
struct RankParts {
    var plan: BatchPlan
    let communicators: JobCommunicators
    let sharding: ValidationSharding
    let role: RankRole
    /// Rank 0 only.
    let coordinator: CoordinatorPart?
    /// The first step this run trains (after a resumed checkpoint's step, else 0).
    let startStep: Int
}

extension DistillJob {
    /// Every rank's set-up, in the same order of collectives on `world` everywhere: the
    /// communicators, the resume point, the host names, the teacher's perplexity; then each
    /// rank builds its role's part (and rank 0 the coordinator's).
    func setUp() throws -> RankParts {
        let rank = world.rank
        let communicators = try JobCommunicators(world: world, layout: layout)
        let shards = try vocabularies.openShards(config)
        let store = try Self.openTargetStore(config, teacher: teacher, vocabularies: vocabularies, dataset: shards)
        let dataset = try Self.drawableDataset(shards, config: config, store: store)
        var plan = try BatchPlan(dataset: dataset, seed: config.seed, globalBatchSequences: config.data.globalBatchSequences,
                                 studentCount: layout.studentRanks.count)
        let sharding = ValidationSharding(dataset: dataset, sequencesPerDomain: config.data.validationSequences)
        let resumePoint = try agreeOnResumePoint(dataset: dataset)
        if let resumePoint { try plan.resume(history: resumePoint.state.weightHistory, cursor: resumePoint.state.samplerCursor) }
        let hostnames = try shareHostnames()
        hostCount = Set(hostnames).count
        lowerStudentPriority(hostnames: hostnames)
        liveness = try startLiveness(hostnames: hostnames, communicators: communicators)
        let runLog = rank == 0
            ? try openRunLog(resumePoint: resumePoint, domainCount: dataset.domains.count, hostnames: hostnames,
                             storeCoverage: Self.storeCoverage(store, dataset: dataset))
            : nil

        // The teacher on the ranks that run it (and on rank 0 when it must measure the
        // teacher's perplexity itself: a `ce` job without teacher ranks).
        let format = messageFormat(localBatch: plan.localBatchSequences)
        let perplexityWorkers = layout.teacherRanks.isEmpty ? [0] : layout.teacherRanks
        var worker: TeacherWorker?
        if layout.teacherIndex(ofRank: rank) != nil || perplexityWorkers.contains(rank) {
            worker = try makeTeacherWorker(format: format, sharding: sharding, localBatch: plan.localBatchSequences)
        }
        let teacherSums = try teacherValidationSums(sharding: sharding, workers: perplexityWorkers, worker: worker,
                                                    maxBatch: plan.localBatchSequences, progress: runLog?.progress)
        if layout.teacherIndex(ofRank: rank) == nil && !layout.isSingleProcess { worker = nil }  // rank 0 measured it; free the memory

        let coordinator = try runLog.map {
            try makeCoordinator(metrics: $0.metrics, progress: $0.progress, teacherSums: teacherSums,
                                sharding: sharding, resumePoint: resumePoint)
        }
        let role = try makeRole(worker: worker, format: format, communicators: communicators,
                                localBatch: plan.localBatchSequences, resumePoint: resumePoint, store: store)
        return RankParts(plan: plan, communicators: communicators, sharding: sharding, role: role,
                         coordinator: coordinator, startStep: resumePoint?.state.step ?? 0)
    }

    /// Every rank's host name, on every rank (gathered on rank 0, broadcast back).
    func shareHostnames() throws -> [String] {
        let gathered = try world.gatherVariable(Array(ProcessInfo.processInfo.hostName.utf8), root: 0,
                                                within: collectiveDeadline, on: "world", for: "host-name gather at start-up")
        let joined = (gathered ?? []).map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        let shared = try world.broadcastVariable(Array(joined.utf8), root: 0, within: collectiveDeadline, on: "world",
                                                 for: "host-name broadcast at start-up")
        return String(decoding: shared, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The heartbeats on a duplicate of the world (`training.heartbeat_seconds`; nil when 0),
    /// running whenever this rank waits with a deadline.
    func startLiveness(hostnames: [String], communicators: JobCommunicators) throws -> LivenessMonitor? {
        let seconds = config.training.resolvedHeartbeatSeconds
        guard seconds > 0 else { return nil }
        let monitor = LivenessMonitor(
            communicator: try world.duplicate(), interval: .milliseconds(Int64((seconds * 1000).rounded())),
            roles: (0..<world.size).map { Self.roleName(layout.roles(ofRank: $0)) }, hosts: hostnames,
            members: ["world": Array(0..<world.size), "students": layout.studentRanks, "trainers": communicators.trainerRanks])
        world.environment.whilePolling = { [weak monitor] in monitor?.poll() }
        monitor.poll()
        return monitor
    }

    /// Rank 0: the run folder (config, metrics with the run record) and the first lines.
    func openRunLog(resumePoint: ResumePoint?, domainCount: Int, hostnames: [String], storeCoverage: TeacherStoreCoverage?)
        throws -> (metrics: MetricsLog, progress: ProgressPrinter) {
        let runDirectory = config.resolvedRunDirectory
        let startStep = resumePoint?.state.step ?? 0
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
        let metrics = try MetricsLog(path: metricsPath)
        var record = RunRecord(name: config.name, config: try config.tomlText(), configHash: configHash, worldSize: world.size,
                               teacherRanks: layout.teacherRanks, studentRanks: layout.studentRanks, hostnames: hostnames,
                               versions: options.versions, startStep: startStep)
        record.teacherStore = storeCoverage
        try metrics.append(.run(record))
        let progress = ProgressPrinter(totalSteps: config.training.steps)
        progress.line("distill \(config.name): \(layout); objective \(config.objective.name); "
            + "\(domainCount) domains; global batch \(config.data.globalBatchSequences)×\(config.data.sequenceLength); "
            + "run folder \(runDirectory)")
        progress.line("distill \(config.name): ranks on hosts: " + Self.ranksByHost(hostnames)
            + (options.versions["openblas_kernel"].map { "; OpenBLAS kernel \($0) on rank 0" } ?? ""))
        announceTeacherData(progress)
        let yielding = studentsYieldingToTeachers(hostnames: hostnames, cores: ProcessInfo.processInfo.activeProcessorCount)
        if !yielding.isEmpty {
            progress.line("distill \(config.name): more ranks than cores beside teachers: students \(yielding) run at nice "
                + "\(config.training.resolvedStudentNiceness) (training.student_niceness), so the teachers get the larger share of a core they both want")
        }
        if gradientSyncMode != config.training.resolvedGradientSync && layout.studentRanks.count > 1 {
            progress.line("distill \(config.name): MPI granted \(world.environment.providedThreadLevel), not MPI_THREAD_MULTIPLE: "
                + "the gradient all-reduce runs nonblocking instead of \(config.training.resolvedGradientSync.rawValue)")
        }
        if let storeCoverage { progress.line("distill \(config.name): " + Self.describe(storeCoverage)) }
        if let resumePoint { progress.line("distill \(config.name): resuming after step \(startStep) from \(resumePoint.folder.path)") }
        if resetLatest {
            progress.line("distill \(config.name): starting at step 0 in \(runDirectory), which holds an earlier run's "
                + "checkpoints: checkpoints/latest is reset (use --resume to continue that run instead)")
        }
        return (metrics, progress)
    }

    /// Rank 0: what crosses vocabularies and what each student holds of the teacher.
    func announceTeacherData(_ progress: ProgressPrinter) {
        if !vocabularies.isShared, let cross = vocabularies.crossTokenization {
            progress.line("distill \(config.name): two vocabularies: the student reads \(vocabularies.studentSource.path)'s "
                + "(\(vocabularies.studentVocabularySize) tokens), the teacher its own (\(teacher.architecture.vocabularySize)); "
                + "teacher ranks re-tokenize each sequence's bytes"
                + (objective.requirements.contains(.tokenIds) ? " into \(cross.teacherSequenceLength) positions" : "")
                + "; DDK perplexities are per byte")
        }
        if objective.requirements.contains(.headMatrix) {
            let withEmbeddings = objective.requirements.contains(.embeddings)
            let arrays = withEmbeddings && !teacher.architecture.tiesEmbeddings ? 2 : 1
            let bytes = arrays * teacher.architecture.vocabularySize * teacher.architecture.hiddenSize * 4
            progress.line(String(format: "distill %@: each student holds the teacher's %@: %.0f MB", config.name,
                                 withEmbeddings ? (arrays == 1 ? "tied head and embeddings" : "head and embeddings") : "head",
                                 Double(bytes) / 1e6))
        }
    }

    /// Rank 0: the DDK weighting, from the teacher's per-domain validation sums (per byte
    /// across two vocabularies: the students' sums are then divided by the same bytes).
    func makeCoordinator(metrics: MetricsLog, progress: ProgressPrinter, teacherSums: [Double], sharding: ValidationSharding,
                         resumePoint: ResumePoint?) throws -> CoordinatorPart {
        let unit = vocabularies.perplexityUnit
        let bytes = try vocabularies.crossTokenization.flatMap {
            unit == .byte ? try sharding.labelBytes(studentTokenizer: $0.studentTokenizer) : nil
        }
        let weighting = DDKCoordinator(
            weighting: try DomainWeighting(mode: config.ddk.mode, alpha: config.ddk.alpha, staticWeights: config.ddk.staticWeights),
            domainNames: sharding.dataset.domainNames, teacherPerplexity: ValidationSharding.perplexities(teacherSums),
            unit: unit, validationBytes: bytes)
        if let resumePoint { try weighting.resume(weights: resumePoint.state.currentWeights) }
        return CoordinatorPart(weighting: weighting, metrics: metrics, progress: progress)
    }

    /// This rank's role: a student, a teacher of the pool (when the objective needs one and
    /// the job has more than one process), or idle.
    func makeRole(worker: TeacherWorker?, format: TeacherMessageFormat, communicators: JobCommunicators,
                  localBatch: Int, resumePoint: ResumePoint?, store: TargetStore?) throws -> RankRole {
        if let studentIndex = layout.studentIndex(ofRank: world.rank) {
            return .student(try makeStudent(index: studentIndex, worker: worker, format: format, communicators: communicators,
                                            localBatch: localBatch, resumePoint: resumePoint, store: store))
        }
        if layout.teacherIndex(ofRank: world.rank) != nil, objective.needsTeacher, !layout.isSingleProcess, let worker {
            return .teacher(TeacherPart(worker: worker, service: TeacherService(
                worker: worker, world: world, layout: layout, flow: poolFlowControl, store: store)))
        }
        return .idle
    }

    /// A student: its model (restored when resuming), its share of the gradient all-reduce,
    /// and its teacher channel.
    func makeStudent(index: Int, worker: TeacherWorker?, format: TeacherMessageFormat, communicators: JobCommunicators,
                     localBatch: Int, resumePoint: ResumePoint?, store: TargetStore?) throws -> StudentPart {
        let model = try StudentInitializer.makeModel(config.student, vocabularySource: vocabularies.studentSource, batchSize: localBatch,
                                                     sequenceLength: config.data.sequenceLength, seed: config.seed)
        let synchronizer = try communicators.students.map {
            try GradientSynchronizer(communicator: $0, gradients: model.gradients,
                                     bucketBytes: Int(config.training.allreduceBucketMegabytes * 1_048_576),
                                     deadline: gradientDeadline, mode: gradientSyncMode)
        }
        var dualSpaceMatrices: StudentObjective.TeacherMatrices?
        if objective.requirements.contains(.headMatrix) {
            let matrices = try teacherMatrices(for: objective)
            try objective.prepareDualSpace(studentWidth: model.config.hiddenSize, studentVocabularySize: model.config.vocabularySize,
                                           teacher: matrices, seed: config.seed, weightDecay: config.optimizer.weightDecay)
            dualSpaceMatrices = matrices
        }
        let trainer = StudentTrainer(model: model, objective: objective, optimizer: config.optimizer.settings,
                                     totalSteps: config.training.steps, gradientSummation: synchronizer,
                                     globalLabelCount: config.data.globalBatchSequences * config.data.sequenceLength)
        var initialWeightsHash: String?
        if let resumePoint {
            initialWeightsHash = resumePoint.state.initialWeightsHash
            try TrainingCheckpoint.restore(trainer, from: resumePoint.folder, state: resumePoint.state)
        } else if index == 0 {
            initialWeightsHash = ContentHash.hex(trainer.modelWeightsChecksum())
        }
        var baseline: GradientCheckBaseline?
        if options.checkGradient && world.rank == 0 {
            trainer.keepsSummedGradient = true
            baseline = GradientCheckBaseline(initialParameters: model.parameters.toArray(), teacherMatrices: dualSpaceMatrices,
                                             sharedTeacher: layout.isSingleProcess ? worker : nil, format: format)
        }
        return StudentPart(index: index, trainer: trainer, synchronizer: synchronizer,
                           channel: try makeTeacherChannel(studentIndex: index, worker: worker, format: format, store: store),
                           gradientCheck: baseline, initialWeightsHash: initialWeightsHash)
    }

    /// Where a student gets its teacher outputs: nil for `ce`, the teacher-target store with
    /// `teacher.source = "store"`, the process's own teacher in a world of 1, else the pool
    /// rank that serves it.
    func makeTeacherChannel(studentIndex: Int, worker: TeacherWorker?, format: TeacherMessageFormat,
                            store: TargetStore?) throws -> TeacherChannel? {
        guard objective.needsTeacher else { return nil }
        if let store, config.teacher.resolvedSource == .store { return StoreTeacherChannel(store: store, studentIndex: studentIndex) }
        let live: TeacherChannel
        if layout.isSingleProcess {
            guard let worker else { throw StudentInitializationError("the single process has no teacher loaded") }
            live = LocalTeacherChannel(worker: worker, studentIndex: studentIndex)
        } else {
            guard let teacherRank = layout.teacherRank(servingStudentIndex: studentIndex) else {
                throw StudentInitializationError("student \(studentIndex) has no teacher rank")
            }
            live = RemoteTeacherChannel(world: world, teacherRank: teacherRank, studentIndex: studentIndex, format: format,
                                        flow: poolFlowControl)
        }
        return store.map { HybridTeacherChannel(store: $0, live: live) } ?? live
    }

    /// The teacher's LM-head matrix (V_T,dT), and for `dskd-cma` its embeddings, read once by
    /// each student (only these tensors are read from the file).
    func teacherMatrices(for objective: StudentObjective) throws -> StudentObjective.TeacherMatrices {
        let (head, embeddings) = try teacher.headAndEmbeddings(withEmbeddings: objective.requirements.contains(.embeddings))
        return StudentObjective.TeacherMatrices(head: head, embeddings: embeddings, width: teacher.architecture.hiddenSize,
                                                vocabularySize: teacher.architecture.vocabularySize)
    }

    /// The message a teacher sends a student per step (with the teacher's own positions,
    /// TT per sequence, when it re-tokenizes the text for `dskd-cma`).
    func messageFormat(localBatch: Int) -> TeacherMessageFormat {
        TeacherMessageFormat(requirements: objective.requirements, rows: localBatch * config.data.sequenceLength,
                             k: objective.topK, vocabularySize: teacher.architecture.vocabularySize,
                             hiddenWidth: teacher.architecture.hiddenSize, temperature: objective.temperature,
                             teacherTokens: vocabularies.crossTokenization.map { (localBatch, $0.teacherSequenceLength) })
    }

    /// The teacher loaded for a step's share of `localBatch` sequences and for the
    /// validation texts it measures (per byte, each text is scored whole, at its own length).
    func makeTeacherWorker(format: TeacherMessageFormat, sharding: ValidationSharding, localBatch: Int) throws -> TeacherWorker {
        let cross = vocabularies.crossTokenization
        var length = max(config.data.sequenceLength, cross?.teacherSequenceLength ?? 0)
        if vocabularies.perplexityUnit == .byte, let cross { length = max(length, try sharding.longestScoredText(cross)) }
        return TeacherWorker(model: try teacher.loadInference(localBatch, length), format: format,
                             crossTokenization: cross, perplexityUnit: vocabularies.perplexityUnit)
    }
}
