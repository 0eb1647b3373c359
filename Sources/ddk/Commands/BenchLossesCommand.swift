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

    @Flag(name: .long, help: "Print one JSON object on stdout.")
    var json = false

    @Option(name: .long, help: "Comma-separated objectives to measure (\(ObjectiveKind.names.joined(separator: ", "))); ce is always measured first.")
    var objectives = "ce,kd,dskd"

    @Option(name: .long, help: "Timed steps per objective (after one warm-up step).")
    var steps = 2

    @Option(name: .long, help: "Batch size B.")
    var batch = 8

    @Option(name: .long, help: "Sequence length T.")
    var sequence = 256

    @Option(name: .long, help: "Teacher top-k ids per token for kd.")
    var topK = 64

    @Option(name: .long, help: "Distance of kd and of dskd's student-space term (\(Distance.names.joined(separator: ", "))).")
    var distance = "fkl"

    @Option(name: .long, help: "KD temperature of kd (1: DDK's CE + 0.2·D; otherwise DSKD's 0.5·CE + 0.5·D).")
    var kdTemperature: Float = 1

    @Option(name: .long, help: "OpenBLAS threads.")
    var threads = 1

    func run() throws {
        BLASThreads.set(threads)
        var kinds = [ObjectiveKind.ce]
        for name in objectives.split(separator: ",").map(String.init) where name != "ce" {
            kinds.append(try ObjectiveKind(name: name))
        }
        let distance = try Distance(name: distance)
        let config = LlamaConfig.referenceStudent
        let B = batch, T = sequence, N = B * T, V = config.vocabularySize
        let model = try LlamaModel(config: config, batchSize: B, sequenceLength: T, seed: 1234)
        var rng = SeededGenerator(seed: 99)
        let tokens = (0..<N).map { _ in Int32(rng.next() % UInt64(V)) }
        let labels = try StepLabels(Array(tokens.dropFirst()) + [-1], globalLabelTokenCount: Double(N - 1), vocabularySize: V)

        var results: [String: [String: Double]] = [:]
        var selectionSecondsPerToken = 0.0
        for kind in kinds {
            let prepared = try ObjectiveBench.prepare(kind, model: model, tokens: tokens, labels: labels, distance: distance,
                                                      topK: topK, kdTemperature: kdTemperature,
                                                      selectionSecondsPerToken: &selectionSecondsPerToken)
            let timing = try ObjectiveBench.measure(prepared, name: kind.rawValue, model: model, tokens: tokens, batchSize: B,
                                                    sequenceLength: T, labelCount: labels.globalLabelTokenCount, steps: steps,
                                                    optimizer: nil, log: log)
            results[kind.rawValue] = ["step_seconds": timing.stepSeconds, "step_cpu_seconds": timing.stepCPUSeconds,
                                      "loss_phase_seconds": timing.lossPhaseSeconds, "loss_phase_cpu_seconds": timing.lossPhaseCPUSeconds,
                                      "loss": timing.meanLoss]
        }
        let ceCPU = results["ce"]!["step_cpu_seconds"]!
        for name in results.keys { results[name]!["overhead_vs_ce"] = results[name]!["step_cpu_seconds"]! / ceCPU - 1 }

        if json {
            let report: [String: Any] = [
                "config": "student C=256 F=704 L=6 NH=4 KVH=2 V=49152 tied; teacher dT=576",
                "batch": B, "sequence": T, "threads": threads, "timed_steps": steps, "top_k": topK,
                "distance": distance.name, "kd_temperature": Double(kdTemperature),
                "objectives": results,
                "top_k_selection_seconds_per_token": selectionSecondsPerToken,
                "peak_rss_bytes": peakResidentBytes(),
            ]
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for kind in kinds {
                let r = results[kind.rawValue]!
                print("\(kind.rawValue): step \(fmt(r["step_seconds"]!)) s (CPU \(fmt(r["step_cpu_seconds"]!)) s), loss phase \(fmt(r["loss_phase_cpu_seconds"]!)) s CPU, overhead vs ce \(fmt(100 * r["overhead_vs_ce"]!))%")
            }
            print("top-\(topK) selection: \(fmt(selectionSecondsPerToken * 1e6)) µs per token")
        }
    }

    func log(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }
}
