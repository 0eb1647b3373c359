import ArgumentParser
import Engine
import Foundation

/// `ddk bench teacher`: forward-only throughput of the teacher on one thread.
struct BenchTeacherCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teacher",
        abstract: "Teacher forward throughput (batch 4 × 256, one thread) and its sgemm utilization.",
        discussion: """
            Times the forward pass including the LM head logits on batch × sequence tokens \
            (one warm-up run, then the median of --runs), and a single-thread sgemm of the \
            teacher's FFN shape as the machine's peak. JSON fields: tokens_per_second, \
            sgemm_gflops, utilization (model FLOP rate ÷ sgemm FLOP rate, both over process \
            CPU time so that a shared machine does not skew the ratio), model_gflops, \
            tokens_per_cpu_second (the forward over process CPU time), batch, sequence, runs.
            """)

    @OptionGroup var model: ModelOption

    @Option(name: .long, help: "Batch size.")
    var batch: Int = 4

    @Option(name: .long, help: "Sequence length.")
    var sequence: Int = 256

    @Option(name: .long, help: "Timed runs (median reported).")
    var runs: Int = 3

    @OptionGroup var output: JSONOutputOption

    /// `--json` output (rates rounded to 2 decimals, the utilization to 4).
    struct Report: Encodable {
        var tokensPerSecond: Double
        var sgemmGflops: Double
        var utilization: Double
        var modelGflops: Double
        var tokensPerCPUSecond: Double
        var batch: Int
        var sequence: Int
        var runs: Int
    }

    func run() throws {
        BLASThreads.set(1)
        let source = try model.open()
        let inference = try source.loadInference(batch, sequence)
        var random = SeededGenerator(seed: 1)
        let tokens = (0..<(batch * sequence)).map { _ in Int32(random.next() % UInt64(inference.vocabularySize)) }
        var checksum: Float = 0
        func forwardOnce() throws {
            try inference.forward(tokens: tokens, batchSize: batch, sequenceLength: sequence)
            try inference.logits { _, _, logits in checksum += logits[0] }
        }
        try forwardOnce()
        let forward = try medianTimes(runs: max(1, runs), forwardOnce)
        guard checksum.isFinite else { throw ValidationError("the forward pass produced non-finite logits") }
        let flopsPerRun = inference.forwardFlopsPerToken(sequenceLength: sequence) * Double(batch * sequence)
        let sgemm = try feedForwardSgemm(inference.feedForwardShape)
        let report = Report(
            tokensPerSecond: rounded(Double(batch * sequence) / forward.wall, places: 2),
            sgemmGflops: rounded(sgemm.flops / sgemm.times.wall / 1e9, places: 2),
            // Both rates over CPU time: robust when other processes share the cores.
            utilization: rounded((flopsPerRun / forward.cpu) / (sgemm.flops / sgemm.times.cpu), places: 4),
            modelGflops: rounded(flopsPerRun / forward.wall / 1e9, places: 2),
            tokensPerCPUSecond: rounded(Double(batch * sequence) / forward.cpu, places: 2),
            batch: batch, sequence: sequence, runs: max(1, runs))
        if output.json {
            try printJSON(report)
        } else {
            print("teacher forward \(batch)×\(sequence), one thread: \(fixed2(report.tokensPerSecond)) tokens/s "
                  + "(\(fixed2(report.tokensPerCPUSecond)) per CPU second), \(fixed2(report.modelGflops)) GFLOP/s; "
                  + "sgemm \(fixed2(report.sgemmGflops)) GFLOP/s; utilization \(fixed2(report.utilization * 100))%")
        }
    }

    /// The machine's sgemm peak on the teacher's FFN shape: out (m,n) = a (m,k) · b (n,k)ᵀ.
    private func feedForwardSgemm(_ shape: (input: Int, output: Int)) throws -> (flops: Double, times: (wall: Double, cpu: Double)) {
        let m = batch * sequence, n = shape.output, k = shape.input
        let a = FloatBuffer(count: m * k), b = FloatBuffer(count: n * k), c = FloatBuffer(count: m * n)
        a.buffer.update(repeating: 0.5); b.buffer.update(repeating: 0.25)
        func sgemmOnce() { Matmul.forward(out: c.pointer, inp: a.pointer, weight: b.pointer, rows: m, inputWidth: k, outputWidth: n) }
        sgemmOnce()
        return (2 * Double(m * n * k), try medianTimes(runs: 5, sgemmOnce))
    }

    /// Median wall-clock and median CPU seconds of `runs` calls of `body`.
    private func medianTimes(runs: Int, _ body: () throws -> Void) throws -> (wall: Double, cpu: Double) {
        var wall: [Double] = [], cpu: [Double] = []
        for _ in 0..<runs {
            let cpuStart = cpuNow()
            let elapsed = try ContinuousClock().measure(body)
            cpu.append(cpuNow() - cpuStart)
            wall.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        return (wall.sorted()[runs / 2], cpu.sorted()[runs / 2])
    }

    private func fixed2(_ value: Double) -> String { String(format: "%.2f", value) }
}
