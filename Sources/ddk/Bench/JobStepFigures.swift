import Foundation
import LanguageModels
import TrainingCore

/// One process's figures of a config's job, for `ddk plan measure`: the student's training
/// step at a per-rank batch (the job's `StudentTrainer` and objective, teacher outputs from
/// the config's teacher in the same process), the teacher's outputs for that batch, and the
/// students' validation pass of a DDK boundary. Medians of wall-clock seconds.
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
            channel = LocalTeacherChannel(worker: worker, studentIndex: 0)
        }
        var studentTimes: [Double] = [], teacherTimes: [Double] = []
        for index in 0...steps {
            let (step, assignments) = try plan.nextStep()
            let figures = try trainer.train(step: step, batch: plan.batch(of: assignments, studentIndex: 0), teacher: channel)
            log(String(format: "plan measure: step %d: student %.3f s, teacher %.3f s (%d tokens)", step,
                       figures.stepSeconds - figures.teacherWaitSeconds, figures.teacherWaitSeconds, B * T))
            if index > 0 {
                studentTimes.append(figures.stepSeconds - figures.teacherWaitSeconds)
                teacherTimes.append(figures.teacherWaitSeconds)
            }
        }
        let sharding = ValidationSharding(dataset: dataset, sequencesPerDomain: config.data.validationSequences)
        let started = Date()
        _ = try sharding.evaluate(worker: 0, of: 1, maxBatch: B, crossEntropy: trainer.crossEntropy)
        let validation = Date().timeIntervalSince(started)
        log(String(format: "plan measure: validation pass %.3f s (%d sequences per domain)", validation, config.data.validationSequences))
        return JobStepFigures(studentStepSeconds: median(studentTimes), teacherSeconds: median(teacherTimes),
                              validationSeconds: validation, batchTokens: B * T,
                              teacherMessageBytesPerToken: Double(format.messageWords * 4) / Double(B * T),
                              gradientBytes: model.gradients.count * MemoryLayout<Float>.stride,
                              needsTeacher: objective.needsTeacher)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}

/// A refusal of `ddk plan measure`, one line.
struct MeasureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
