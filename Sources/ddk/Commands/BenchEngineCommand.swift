import ArgumentParser
import Distillation
import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `ddk bench engine`: sgemm peak on the model's own shapes, then the training
/// step of the reference student (and the teacher's inference forward), in one run.
struct BenchEngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Measure sgemm throughput, the student training step and teacher inference (one thread).")

    @Flag(name: .long, help: "Print one JSON object on stdout.")
    var json = false

    @Option(name: .long, help: "Timed training steps (after one warm-up step).")
    var steps = 3

    @Option(name: .long, help: "Batch size B.")
    var batch = 8

    @Option(name: .long, help: "Sequence length T.")
    var sequence = 256

    @Option(name: .long, help: "OpenBLAS threads.")
    var threads = 1

    @Option(name: .long, help: "Rows per LM-head chunk (logits scratch = rows × V Floats).")
    var headRows = 256

    @Option(name: .long, help: "Teacher inference batch (B×T = teacher-batch × sequence); 0 skips it.")
    var teacherBatch = 4

    @Option(name: .long, help: "Also time the step under this objective (ce, kd, dskd, dskd-cma) and report its overhead over ce.")
    var objective = "ce"

    @Option(name: .long, help: "Teacher top-k ids per token for --objective kd.")
    var topK = 64

    func run() throws {
        BLASThreads.set(threads)
        let objectiveKind = try ObjectiveKind(name: objective)
        let config = LlamaConfig.referenceStudent
        let B = batch, T = sequence, N = B * T
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
        var phases: [[Double]] = []
        var cpuSteps: [Double] = [], cpuHead: [Double] = []
        var losses: [Double] = []
        var crossEntropySeconds: [Double] = []
        for step in 0..<(steps + 1) {
            let c0 = cpuNow()
            let t0 = now()
            model.zeroGradients()
            try model.forward(tokens: tokens, batchSize: B, sequenceLength: T)
            let t1 = now()
            let c1 = cpuNow()
            var loss = TimedLoss(inner: try CrossEntropyLoss(targets: targets, vocabularySize: config.vocabularySize))
            try model.lmHeadLoss(&loss)
            let t2 = now()
            let c2 = cpuNow()
            try model.backward()
            let t3 = now()
            GradientClipping.clip(model.gradients.buffer, maxNorm: 1)
            adam.update(parameters: model.parameters, gradients: model.gradients, learningRate: 1e-4)
            let t4 = now()
            let c4 = cpuNow()
            log("step \(step): \(fmt(t4 - t0)) s (forward \(fmt(t1 - t0)), head+loss \(fmt(t2 - t1)), backward \(fmt(t3 - t2)), optimizer \(fmt(t4 - t3))), loss \(fmt(loss.inner.meanLoss))")
            if step > 0 {
                phases.append([t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0])
                losses.append(loss.inner.meanLoss)
                crossEntropySeconds.append(loss.seconds)
                cpuSteps.append(c4 - c0)
                cpuHead.append(c2 - c1)
            }
        }
        func median(_ i: Int) -> Double { phases.map { $0[i] }.sorted()[phases.count / 2] }
        let stepSeconds = median(4)
        let flopsPerStep = config.flopsPerToken(sequenceLength: T) * Double(N)
        let achieved = flopsPerStep / stepSeconds / 1e9
        let mfu = achieved / peak
        let ce = crossEntropySeconds.sorted()[crossEntropySeconds.count / 2]
        // On a shared machine the process is often preempted: CPU time shows the idle-machine cost.
        let stepCPUSeconds = cpuSteps.sorted()[cpuSteps.count / 2]
        let mfuCPU = flopsPerStep / stepCPUSeconds / 1e9 / peak

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
        var teacherTokensPerSecond = 0.0, teacherSeconds = 0.0, teacherGflops = 0.0, teacherCPUSeconds = 0.0
        if teacherBatch > 0 {
            let teacher = LlamaConfig.smolLM2_135M
            let inference = try LlamaInference(config: teacher, maxBatchSize: teacherBatch, maxSequenceLength: T)
            var r = SeededGenerator(seed: 5)
            r.fillNormal(inference.parameters.buffer, standardDeviation: 0.02)
            let tt = (0..<(teacherBatch * T)).map { _ in Int32(r.next() % UInt64(teacher.vocabularySize)) }
            var sink: Float = 0
            let c0 = cpuNow()
            let t0 = now()
            try inference.forward(tokens: tt, batchSize: teacherBatch, sequenceLength: T)
            try inference.logits { _, rows, logits in sink += logits[rows - 1] }
            teacherSeconds = now() - t0
            teacherCPUSeconds = cpuNow() - c0
            teacherTokensPerSecond = Double(teacherBatch * T) / teacherSeconds
            teacherGflops = teacher.forwardFlopsPerToken(sequenceLength: T) * Double(teacherBatch * T) / teacherSeconds / 1e9
            log("teacher inference \(teacherBatch)×\(T): \(fmt(teacherSeconds)) s, \(fmt(teacherTokensPerSecond)) tokens/s, \(fmt(teacherGflops)) GFLOP/s (\(sink.isFinite ? "finite" : "non-finite") logits)")
        }

        let report: [String: Any] = [
            "config": "student C=256 F=704 L=6 NH=4 KVH=2 V=49152 tied",
            "batch": B, "sequence": T, "threads": threads, "timed_steps": steps,
            "parameters": config.parameterCount,
            "tokens_per_second": Double(N) / stepSeconds,
            "step_seconds": stepSeconds,
            "step_cpu_seconds": stepCPUSeconds,
            "lm_head_loss_cpu_seconds": cpuHead.sorted()[cpuHead.count / 2],
            "lm_head_chunk_rows": model.lmHeadChunkRows,
            "tokens_per_cpu_second": Double(N) / stepCPUSeconds,
            "mfu_cpu_time": mfuCPU,
            "forward_seconds": median(0),
            "lm_head_loss_seconds": median(1),
            "cross_entropy_seconds": ce,
            "backward_seconds": median(2),
            "optimizer_seconds": median(3),
            "flops_per_step": flopsPerStep,
            "achieved_gflops": achieved,
            "sgemm_gflops": peak,
            "sgemm_shapes": gemm.map { ["m": $0.m, "n": $0.n, "k": $0.k, "op": $0.op, "gflops": $0.gflops] as [String: Any] },
            "mfu": mfu,
            "loss": losses.last ?? 0,
            "peak_rss_bytes": peakResidentBytes(),
            "teacher_tokens_per_second": teacherTokensPerSecond,
            "teacher_forward_seconds": teacherSeconds,
            "teacher_forward_cpu_seconds": teacherCPUSeconds,
            "teacher_gflops": teacherGflops,
            "objective": objective,
            "objective_step_seconds": objectiveTiming.stepSeconds,
            "objective_step_cpu_seconds": objectiveTiming.stepCPUSeconds,
            "overhead_vs_ce": overheadVsCE,
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("""
            student step \(B)×\(T), \(threads) thread(s): \(fmt(stepSeconds)) s median, \(fmt(Double(N) / stepSeconds)) tokens/s (CPU time \(fmt(stepCPUSeconds)) s, MFU by CPU time \(fmt(mfuCPU)))
              forward \(fmt(median(0))) s, LM head + loss \(fmt(median(1))) s (cross-entropy \(fmt(ce)) s), backward \(fmt(median(2))) s, optimizer \(fmt(median(3))) s
              \(fmt(achieved)) GFLOP/s achieved, sgemm peak \(fmt(peak)) GFLOP/s, MFU \(fmt(mfu))
              peak RSS \(peakResidentBytes() / 1_048_576) MiB
            teacher inference: \(fmt(teacherTokensPerSecond)) tokens/s (CPU time \(fmt(teacherCPUSeconds)) s)
            objective \(objective): step CPU time \(fmt(objectiveTiming.stepCPUSeconds)) s, overhead vs ce \(fmt(100 * overheadVsCE))%
            """)
        }
    }

    func log(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }
}

/// The cross-entropy loss with its time measured (the element-wise part of the head).
struct TimedLoss: ChunkedLogitsLoss {
    var inner: CrossEntropyLoss
    var seconds = 0.0
    mutating func lossAndGradient(rowStart: Int, rowCount: Int, logits: UnsafeMutablePointer<Float>, vocabularySize: Int) -> Double {
        let t = now()
        defer { seconds += now() - t }
        return inner.lossAndGradient(rowStart: rowStart, rowCount: rowCount, logits: logits, vocabularySize: vocabularySize)
    }
}

/// Times cblas_sgemm on the shapes a training step uses.
enum SgemmProbe {
    struct Result { var m: Int, n: Int, k: Int, op: String, gflops: Double }

    static func measure(config c: LlamaConfig, rows N: Int, headRows R: Int) -> [Result] {
        let C = c.hiddenSize, F = c.intermediateSize, V = c.vocabularySize
        // (rows, in, out) of every linear layer: forward NT, backward-input NN, backward-weight TN
        let linears = [(N, C, c.qkvWidth), (N, c.queryWidth, C), (N, C, 2 * F), (N, F, C), (R, C, V)]
        var results: [Result] = []
        for (rows, inW, outW) in linears {
            results.append(time(op: "NT", m: rows, n: outW, k: inW))
            results.append(time(op: "NN", m: rows, n: inW, k: outW))
            results.append(time(op: "TN", m: outW, n: inW, k: rows))
        }
        return results
    }

    static func time(op: String, m: Int, n: Int, k: Int) -> Result {
        let ta = op.first == "T", tb = op.last == "T"
        let a = FloatBuffer(count: m * k), b = FloatBuffer(count: k * n), cbuf = FloatBuffer(count: m * n)
        for i in 0..<a.count { a.pointer[i] = Float(i % 97) / 97 - 0.5 }
        for i in 0..<b.count { b.pointer[i] = Float(i % 89) / 89 - 0.5 }
        func call() {
            Matmul.sgemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1,
                         a: a.pointer, lda: ta ? m : k, b: b.pointer, ldb: tb ? k : n,
                         beta: 0, c: cbuf.pointer, ldc: n)
        }
        call()
        var best = Double.infinity
        var total = 0.0, calls = 0
        while total < 0.25 || calls < 3 {
            let t = now(); call(); let d = now() - t
            best = min(best, d); total += d; calls += 1
        }
        return Result(m: m, n: n, k: k, op: op, gflops: 2 * Double(m * n * k) / best / 1e9)
    }
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_maxrss * 1024
}

func fmt(_ x: Double) -> String { String(format: "%.3f", x) }
