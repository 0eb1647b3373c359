import ArgumentParser
import Distillation
import Engine
import Foundation

/// `ddk bench losses`: the reference student's training step (forward, LM head + loss,
/// backward) under each distillation objective, in one run, with the added cost
/// relative to `ce`. Teacher data are synthetic (random logits / hidden states /
/// head of the teacher's shape): speed only.
struct BenchLossesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "losses",
        abstract: "Measure the student step under each objective (\(ObjectiveKind.names.joined(separator: ", ")); kd with top-k targets; one thread).")

    @OptionGroup var output: JSONOutputOption

    @Option(name: .long, help: "Comma-separated objectives to measure (\(ObjectiveKind.names.joined(separator: ", "))); ce is always measured first.")
    var objectives = "ce,kd,dskd"

    @Option(name: .long, help: "Timed steps per objective (after one warm-up step).")
    var steps = 2

    @OptionGroup var shape: StudentBatchOptions

    @Option(name: .long, help: "Teacher top-k ids per token for kd.")
    var topK = 64

    @Option(name: .long, help: "Distance of kd and of dskd's student-space term (\(Distance.names.joined(separator: ", "))).")
    var distance = "fkl"

    @Option(name: .long, help: "KD temperature of kd (1: DDK's CE + 0.2·D; otherwise DSKD's 0.5·CE + 0.5·D).")
    var kdTemperature: Float = 1

    @OptionGroup var blas: ThreadsOption

    func run() throws {
        blas.apply()
        var kinds = [ObjectiveKind.ce]
        for name in objectives.split(separator: ",").map(String.init) where name != "ce" {
            kinds.append(try ObjectiveKind(name: name))
        }
        let distance = try Distance(name: distance)
        let config = LlamaConfig.referenceStudent
        let B = shape.batch, T = shape.sequence, N = B * T, V = config.vocabularySize
        let model = try LlamaModel(config: config, batchSize: B, sequenceLength: T, seed: 1234)
        var rng = SeededGenerator(seed: 99)
        let tokens = (0..<N).map { _ in Int32(rng.next() % UInt64(V)) }
        let labels = try StepLabels(Array(tokens.dropFirst()) + [-1], globalLabelTokenCount: Double(N - 1), vocabularySize: V)

        var measured: [(kind: ObjectiveKind, timing: ObjectiveBench.Timing)] = []
        var selectionSecondsPerToken = 0.0
        for kind in kinds {
            let prepared = try ObjectiveBench.prepare(kind, model: model, tokens: tokens, labels: labels, distance: distance,
                                                      topK: topK, kdTemperature: kdTemperature,
                                                      selectionSecondsPerToken: &selectionSecondsPerToken)
            let timing = try ObjectiveBench.measure(prepared, name: kind.rawValue, model: model, tokens: tokens, batchSize: B,
                                                    sequenceLength: T, labelCount: labels.globalLabelTokenCount, steps: steps,
                                                    optimizer: nil, log: log)
            measured.append((kind, timing))
        }
        // ce is measured first: the overheads are relative to its step CPU time.
        let ceCPUSeconds = measured[0].timing.stepCPUSeconds
        let figures = measured.map { ObjectiveFigures($0.timing, ceStepCPUSeconds: ceCPUSeconds) }

        if output.json {
            try printJSON(Report(batch: B, sequence: T, threads: blas.threads, timedSteps: steps, topK: topK, distance: distance.name,
                                 kdTemperature: Double(kdTemperature),
                                 objectives: Dictionary(zip(measured.map(\.kind.rawValue), figures)) { _, last in last },
                                 topKSelectionSecondsPerToken: selectionSecondsPerToken, peakRSSBytes: peakResidentBytes()))
        } else {
            for (kind, r) in zip(measured.map(\.kind), figures) {
                print("\(kind.rawValue): step \(fmt(r.stepSeconds)) s (CPU \(fmt(r.stepCPUSeconds)) s), loss phase \(fmt(r.lossPhaseCPUSeconds)) s CPU, overhead vs ce \(fmt(100 * r.overheadVsCE))%")
            }
            print("top-\(topK) selection: \(fmt(selectionSecondsPerToken * 1e6)) µs per token")
        }
    }

    func log(_ s: String) { logLine(s) }
}
