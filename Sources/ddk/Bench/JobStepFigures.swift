import Foundation
import LanguageModels
import TrainingCore

/// One process's figures of a config's job, for `ddk plan measure`: the student's training
/// step at a per-rank batch (the job's `StudentTrainer` and objective, teacher outputs from
/// the config's teacher in the same process), the teacher's outputs for that batch, and the
/// students' validation pass of a DDK boundary. Medians of process CPU seconds: with one
/// thread what each costs when the process has its core (on a shared machine the wall-clock
/// time also holds the waits for other work; the scaling model adds the sharing itself).
struct JobStepFigures {
    var studentStepSeconds: Double
    var teacherSeconds: Double
    var validationSeconds: Double
    var batchTokens: Int
    var teacherMessageBytesPerToken: Double
    var gradientBytes: Int
    var needsTeacher: Bool

    /// Times `steps` steps (after one warm-up) of `config` with `sequences` sequences per rank.
    static func measure(_ config: DistillConfig, sequences: Int, steps: Int, log: (String) -> Void) throws -> JobStepFigures {
        let teacher = try ModelSource(path: config.teacher.model, role: .teacher)
        let vocabularies = try JobVocabularies(config: config, teacher: teacher)
        let dataset = try vocabularies.openShards(config)
        let objective = try StudentObjective(section: config.objective)
        guard !objective.requirements.contains(.headMatrix) else {
            throw MeasureError("plan measure times ce and kd objectives; \(config.objective.name) needs the teacher's head on the student")
        }
        let T = config.data.sequenceLength, B = sequences
        var plan = try BatchPlan(dataset: dataset, seed: config.seed, globalBatchSequences: B, studentCount: 1)
        try plan.setWeights([Double](repeating: 1 / Double(dataset.domains.count), count: dataset.domains.count), fromStep: 0)
        let model = try StudentInitializer.makeModel(config.student, vocabularySource: vocabularies.studentSource, batchSize: B,
                                                     sequenceLength: T, seed: config.seed)
        let trainer = StudentTrainer(model: model, objective: objective, optimizer: config.optimizer.settings,
                                     totalSteps: steps + 1, gradientSummation: nil, globalLabelCount: B * T)
        let format = TeacherMessageFormat(requirements: objective.requirements, rows: B * T, k: objective.topK,
                                          vocabularySize: teacher.architecture.vocabularySize,
                                          hiddenWidth: teacher.architecture.hiddenSize, temperature: objective.temperature,
                                          teacherTokens: vocabularies.crossTokenization.map { (B, $0.teacherSequenceLength) })
        var channel: TeacherChannel?
        if objective.needsTeacher {
            let length = max(T, vocabularies.crossTokenization?.teacherSequenceLength ?? 0)
            let worker = TeacherWorker(model: try teacher.loadInference(B, length), format: format,
                                       crossTokenization: vocabularies.crossTokenization, perplexityUnit: vocabularies.perplexityUnit)
            channel = CPUTimedTeacherChannel(LocalTeacherChannel(worker: worker, studentIndex: 0))
        }
        var studentTimes: [Double] = [], teacherTimes: [Double] = []
        for index in 0...steps {
            let (step, assignments) = try plan.nextStep()
            let teacherBefore = (channel as? CPUTimedTeacherChannel)?.cpuSeconds ?? 0
            let cpuStarted = cpuNow()
            let figures = try trainer.train(step: step, batch: plan.batch(of: assignments, studentIndex: 0), teacher: channel)
            let teacherCPU = ((channel as? CPUTimedTeacherChannel)?.cpuSeconds ?? 0) - teacherBefore
            let studentCPU = cpuNow() - cpuStarted - teacherCPU
            log(String(format: "plan measure: step %d: student %.3f s (CPU %.3f), teacher %.3f s (CPU %.3f), %d tokens", step,
                       figures.stepSeconds - figures.teacherWaitSeconds, studentCPU, figures.teacherWaitSeconds, teacherCPU, B * T))
            if index > 0 {
                studentTimes.append(studentCPU)
                teacherTimes.append(teacherCPU)
            }
        }
        let sharding = ValidationSharding(dataset: dataset, sequencesPerDomain: config.data.validationSequences)
        let started = Date(), cpuStarted = cpuNow()
        _ = try sharding.evaluate(worker: 0, of: 1, maxBatch: B, crossEntropy: trainer.crossEntropy)
        let validation = cpuNow() - cpuStarted
        log(String(format: "plan measure: validation pass %.3f s (CPU %.3f; %d sequences per domain)",
                   Date().timeIntervalSince(started), validation, config.data.validationSequences))
        return JobStepFigures(studentStepSeconds: median(studentTimes), teacherSeconds: median(teacherTimes),
                              validationSeconds: validation, batchTokens: B * T,
                              teacherMessageBytesPerToken: Double(format.messageWords * 4) / Double(B * T),
                              gradientBytes: model.gradients.count * MemoryLayout<Float>.stride,
                              needsTeacher: objective.needsTeacher)
    }
}

/// A teacher channel that counts the process CPU time spent in its `outputs`.
final class CPUTimedTeacherChannel: TeacherChannel {
    let inner: TeacherChannel
    private(set) var cpuSeconds = 0.0

    init(_ inner: TeacherChannel) { self.inner = inner }

    func beginInterval(steps: Range<Int>) throws { try inner.beginInterval(steps: steps) }

    func outputs(step: Int, batch: SequenceBatch) throws -> TeacherOutputs {
        let started = cpuNow()
        defer { cpuSeconds += cpuNow() - started }
        return try inner.outputs(step: step, batch: batch)
    }

    func endInterval() throws { try inner.endInterval() }
}

/// A refusal of `ddk plan measure`, one line.
struct MeasureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
