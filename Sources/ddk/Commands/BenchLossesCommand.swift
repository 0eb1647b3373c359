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
        abstract: "Measure the student step under ce, kd (top-k targets), dskd and dskd-cma (one thread).")

    @Flag(name: .long, help: "Print one JSON object on stdout.")
    var json = false

    @Option(name: .long, help: "Comma-separated objectives to measure; ce is always measured first.")
    var objectives = "ce,kd,dskd"

    @Option(name: .long, help: "Timed steps per objective (after one warm-up step).")
    var steps = 2

    @Option(name: .long, help: "Batch size B.")
    var batch = 8

    @Option(name: .long, help: "Sequence length T.")
    var sequence = 256

    @Option(name: .long, help: "Teacher top-k ids per token for kd.")
    var topK = 64

    @Option(name: .long, help: "Distance of kd and of dskd's student-space term (fkl, rkl, js, sfkl, srkl, akl, tvd).")
    var distance = "fkl"

    @Option(name: .long, help: "OpenBLAS threads.")
    var threads = 1

    func run() throws {
        BLASThreads.set(threads)
        var kinds = [ObjectiveKind.ce]
        for name in objectives.split(separator: ",").map(String.init) where name != "ce" {
            kinds.append(try ObjectiveKind(name: name))
        }
        let distance = try Distance(name: distance)
        let config = LlamaConfig.referenceStudent, teacher = LlamaConfig.smolLM2_135M
        let B = batch, T = sequence, N = B * T, V = config.vocabularySize, dT = teacher.hiddenSize
        let model = try LlamaModel(config: config, batchSize: B, sequenceLength: T, seed: 1234)
        var rng = SeededGenerator(seed: 99)
        let tokens = (0..<N).map { _ in Int32(rng.next() % UInt64(V)) }
        let labels = try StepLabels(Array(tokens.dropFirst()) + [-1], globalLabelTokenCount: Double(N - 1), vocabularySize: V)

        var results: [String: [String: Double]] = [:]
        var selectionSecondsPerToken = 0.0
        for kind in kinds {
            // per-objective set-up (not timed): the teacher's data as they would arrive
            var objective: any ChunkedObjective & ChunkedLogitsLoss
            var begin: () throws -> Void = {}
            var addHidden: () -> Void = {}
            var finish: () -> Void = {}
            switch kind {
            case .ce:
                let ce = CrossEntropyObjective()
                begin = { ce.beginStep(labels: labels) }
                objective = ce
            case .kd:
                let kdConfiguration = try KDConfiguration(distance: distance, temperature: 1, weighting: .ddk)
                let targets = try Self.syntheticTopK(rows: N, vocabularySize: V, k: topK, temperature: 1,
                                                     secondsPerToken: &selectionSecondsPerToken)
                let kd = KnowledgeDistillationObjective(configuration: kdConfiguration, usesTopK: true)
                begin = { try kd.beginStep(labels: labels, targets: .topK(targets), vocabularySize: V) }
                objective = kd
            case .dskd:
                let hT = Self.normal(N * dT, 1, &rng), wT = Self.normal(V * dT, 0.02, &rng)
                let dskd = try DualSpaceObjective(configuration: DualSpaceConfiguration(distance: distance),
                                                  studentWidth: config.hiddenSize, teacherWidth: dT, vocabularySize: V,
                                                  teacherHead: wT, seed: 7)
                begin = {
                    dskd.projectors.zeroGradients()
                    try dskd.beginStep(labels: labels, studentHidden: model.hiddenStates.baseAddress!, teacherHidden: hT,
                                       studentHead: model.lmHeadWeight.baseAddress!)
                }
                addHidden = { dskd.addStudentHiddenGradient(into: model.hiddenGradient.baseAddress!) }
                finish = { dskd.finishStep() }
                objective = dskd
            case .dskdCMA:
                let hT = Self.normal(N * dT, 1, &rng), wT = Self.normal(V * dT, 0.02, &rng), eT = Self.normal(V * dT, 0.02, &rng)
                let cma = try CrossModelAttentionObjective(configuration: DualSpaceConfiguration(distance: distance),
                                                           studentWidth: config.hiddenSize, teacherWidth: dT,
                                                           studentVocabularySize: V, teacherVocabularySize: V,
                                                           teacherHead: wT, teacherEmbeddings: eT, seed: 7)
                let crossBatch = try CrossModelBatch(sequenceCount: B, studentLength: T, teacherLength: T,
                                                     studentInputs: tokens, studentLabels: labels,
                                                     teacherInputs: tokens, teacherLabels: labels.values,
                                                     studentVocabularySize: V, teacherVocabularySize: V)
                let embeddings = try model.parameter(named: "model.embed_tokens.weight").baseAddress!
                begin = {
                    cma.projectors.zeroGradients()
                    try cma.beginStep(batch: crossBatch, studentHidden: model.hiddenStates.baseAddress!, teacherHidden: hT,
                                      studentEmbeddings: embeddings, studentHead: model.lmHeadWeight.baseAddress!)
                }
                addHidden = { cma.addStudentHiddenGradient(into: model.hiddenGradient.baseAddress!) }
                finish = { cma.finishStep() }
                objective = cma
            }
            var stepTimes = [Double](), stepCPU = [Double](), lossTimes = [Double](), lossCPU = [Double](), meanLoss = 0.0
            for step in 0...steps {
                let c0 = cpuNow(), t0 = now()
                model.zeroGradients()
                try model.forward(tokens: tokens, batchSize: B, sequenceLength: T)
                let c1 = cpuNow(), t1 = now()
                try begin()
                let sum = try model.lmHeadLoss(&objective)
                addHidden()
                finish()
                let c2 = cpuNow(), t2 = now()
                try model.backward()
                let c3 = cpuNow(), t3 = now()
                meanLoss = objective.components["total"] / labels.globalLabelTokenCount
                log("\(kind.rawValue) step \(step): \(fmt(t3 - t0)) s (CPU \(fmt(c3 - c0)) s), loss phase \(fmt(t2 - t1)) s, loss \(fmt(sum / labels.globalLabelTokenCount))")
                if step > 0 { stepTimes.append(t3 - t0); stepCPU.append(c3 - c0); lossTimes.append(t2 - t1); lossCPU.append(c2 - c1) }
            }
            results[kind.rawValue] = ["step_seconds": Self.median(stepTimes), "step_cpu_seconds": Self.median(stepCPU),
                                      "loss_phase_seconds": Self.median(lossTimes), "loss_phase_cpu_seconds": Self.median(lossCPU),
                                      "loss": meanLoss]
        }
        let ceCPU = results["ce"]!["step_cpu_seconds"]!
        for name in results.keys { results[name]!["overhead_vs_ce"] = results[name]!["step_cpu_seconds"]! / ceCPU - 1 }

        if json {
            let report: [String: Any] = [
                "config": "student C=256 F=704 L=6 NH=4 KVH=2 V=49152 tied; teacher dT=576",
                "batch": B, "sequence": T, "threads": threads, "timed_steps": steps, "top_k": topK,
                "distance": distance.name,
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

    /// Top-k targets from random teacher logits (N(0, 3²)), built chunk by chunk.
    static func syntheticTopK(rows: Int, vocabularySize v: Int, k: Int, temperature: Float,
                              secondsPerToken: inout Double) throws -> TopKTargets {
        var rng = SeededGenerator(seed: 17)
        let chunk = 256
        var logits = [Float](repeating: 0, count: chunk * v)
        var ids = [Int32](), logProbabilities = [Float](), tail = [Float]()
        var seconds = 0.0
        for start in stride(from: 0, to: rows, by: chunk) {
            let count = min(chunk, rows - start)
            logits.withUnsafeMutableBufferPointer { rng.fillNormal($0, standardDeviation: 3) }
            let t0 = now()
            let part = try TopKTargets(teacherLogits: logits, rowCount: count, vocabularySize: v, k: k, temperature: temperature)
            seconds += now() - t0
            ids += part.ids; logProbabilities += part.logProbabilities; tail += part.tailMass
        }
        secondsPerToken = seconds / Double(rows)
        return try TopKTargets(rowCount: rows, k: k, vocabularySize: v, temperature: temperature,
                               ids: ids, logProbabilities: logProbabilities, tailMass: tail)
    }

    static func normal(_ count: Int, _ std: Float, _ rng: inout SeededGenerator) -> [Float] {
        var x = [Float](repeating: 0, count: count)
        x.withUnsafeMutableBufferPointer { rng.fillNormal($0, standardDeviation: std) }
        return x
    }

    static func median(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.sorted()[x.count / 2] }

    func log(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }
}
