import ArgumentParser
import Distillation
import Engine
import Foundation

/// `ddk bench engine`: sgemm peak on the model's own shapes, then the training
/// step of the reference student (and the teacher's inference forward), in one run.
struct BenchEngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Measure sgemm throughput, the student training step and teacher inference (one thread).")

    @OptionGroup var output: JSONOutputOption

    @Option(name: .long, help: "Timed training steps (after one warm-up step).")
    var steps = 3

    @OptionGroup var shape: StudentBatchOptions
    @OptionGroup var blas: ThreadsOption

    @Option(name: .long, help: "Rows per LM-head chunk (logits scratch = rows × V Floats).")
    var headRows = 256

    @Option(name: .long, help: "Teacher inference batch (B×T = teacher-batch × sequence); 0 skips it.")
    var teacherBatch = 4

    @Option(name: .long, help: "Also time the step under this objective (ce, kd, dskd, dskd-cma) and report its overhead over ce.")
    var objective = "ce"

    @Option(name: .long, help: "Teacher top-k ids per token for --objective kd.")
    var topK = 64

    func run() throws {
        blas.apply()
        let objectiveKind = try ObjectiveKind(name: objective)
        let config = LlamaConfig.referenceStudent
        let B = shape.batch, T = shape.sequence, N = B * T
        let model = try LlamaModel(config: config, batchSize: B, sequenceLength: T, seed: 1234, lmHeadChunkRows: headRows)

        // 1. sgemm throughput on every matrix shape of the step.
        let gemm = SgemmProbe.measure(config: config, rows: N, headRows: model.lmHeadChunkRows)
        let peak = gemm.map(\.gflops).max() ?? 0
        log("sgemm peak \(fmt(peak)) GFLOP/s over \(gemm.count) shapes")

        // 2. training steps.
        var rng = SeededGenerator(seed: 99)
        let tokens = (0..<N).map { _ in Int32(rng.next() % UInt64(config.vocabularySize)) }
        let targets = Array(tokens.dropFirst()) + [-1]
        let adam = AdamW(layout: model.layout)
        let student = try StudentStepFigures.measure(model, batchSize: B, sequenceLength: T, tokens: tokens, targets: targets,
                                                     optimizer: adam, steps: steps, log: log)
        let stepSeconds = student.stepSeconds, stepCPUSeconds = student.stepCPUSeconds

        // 2b. the same step under another objective (synthetic teacher data), CPU time relative to ce above.
        var objectiveTiming = ObjectiveBench.Timing(stepSeconds: stepSeconds, stepCPUSeconds: stepCPUSeconds)
        if objectiveKind != .ce {
            let labels = try StepLabels(targets, globalLabelTokenCount: Double(targets.filter { $0 >= 0 }.count),
                                        vocabularySize: config.vocabularySize)
            var selectionSeconds = 0.0
            let prepared = try ObjectiveBench.prepare(objectiveKind, model: model, tokens: tokens, labels: labels, distance: .forwardKL,
                                                      topK: topK, selectionSecondsPerToken: &selectionSeconds)
            objectiveTiming = try ObjectiveBench.measure(prepared, name: objective, model: model, tokens: tokens, batchSize: B,
                                                         sequenceLength: T, labelCount: labels.globalLabelTokenCount, steps: steps,
                                                         optimizer: adam, log: log)
        }
        let overheadVsCE = objectiveTiming.stepCPUSeconds / stepCPUSeconds - 1

        // 3. teacher-shaped inference forward (random weights; speed only).
        let teacher = teacherBatch > 0 ? try TeacherInferenceFigures.measure(batchSize: teacherBatch, sequenceLength: T, log: log) : .skipped

        let report = Report(student: student, config: config, threads: blas.threads, timedSteps: steps, gemm: gemm,
                            teacher: teacher, objective: objective, objectiveTiming: objectiveTiming, overheadVsCE: overheadVsCE)
        if output.json {
            try printJSON(report)
        } else {
            printText(report)
        }
    }

    func log(_ s: String) { logLine(s) }
}

