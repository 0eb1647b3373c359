import ArgumentParser
import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LanguageModels

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

    @Option(name: .long, help: "GGUF file or SwiftDDK checkpoint directory.")
    var model: String = defaultTeacherPath

    @Option(name: .long, help: "Batch size.")
    var batch: Int = 4

    @Option(name: .long, help: "Sequence length.")
    var sequence: Int = 256

    @Option(name: .long, help: "Timed runs (median reported).")
    var runs: Int = 3

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    func run() throws {
        BLASThreads.set(1)
        let files = try ModelSource(path: model)
        let inference = try files.load(batch, sequence)
        let config = files.config
        var random = SeededGenerator(seed: 1)
        let tokens = (0..<(batch * sequence)).map { _ in Int32(random.next() % UInt64(config.vocabularySize)) }
        var checksum: Float = 0
        func forwardOnce() throws {
            try inference.forward(tokens: tokens, batchSize: batch, sequenceLength: sequence)
            try inference.logits { _, _, logits in checksum += logits[0] }
        }
        try forwardOnce()
        let forward = try medianTimes(runs: max(1, runs), forwardOnce)
        guard checksum.isFinite else { throw ValidationError("the forward pass produced non-finite logits") }
        let flopsPerRun = config.forwardFlopsPerToken(sequenceLength: sequence) * Double(batch * sequence)
        let tokensPerSecond = Double(batch * sequence) / forward.wall
        let tokensPerCPUSecond = Double(batch * sequence) / forward.cpu
        let modelGFLOPS = flopsPerRun / forward.wall / 1e9

        // The machine's sgemm peak on the teacher's FFN shape: out (m,n) = a (m,k) · b (n,k)ᵀ.
        let m = batch * sequence, n = config.intermediateSize, k = config.hiddenSize
        let a = FloatBuffer(count: m * k), b = FloatBuffer(count: n * k), c = FloatBuffer(count: m * n)
        a.buffer.update(repeating: 0.5); b.buffer.update(repeating: 0.25)
        func sgemmOnce() { Matmul.forward(out: c.pointer, inp: a.pointer, weight: b.pointer, rows: m, inputWidth: k, outputWidth: n) }
        sgemmOnce()
        let sgemm = try medianTimes(runs: 5, sgemmOnce)
        let sgemmFlops = 2 * Double(m * n * k)
        let sgemmGFLOPS = sgemmFlops / sgemm.wall / 1e9
        // Both rates over CPU time: robust when other processes share the cores.
        let utilization = (flopsPerRun / forward.cpu) / (sgemmFlops / sgemm.cpu)

        if json {
            print("{\"tokens_per_second\": \(fixed2(tokensPerSecond)), \"sgemm_gflops\": \(fixed2(sgemmGFLOPS)), "
                  + "\"utilization\": \(String(format: "%.4f", utilization)), \"model_gflops\": \(fixed2(modelGFLOPS)), "
                  + "\"tokens_per_cpu_second\": \(fixed2(tokensPerCPUSecond)), "
                  + "\"batch\": \(batch), \"sequence\": \(sequence), \"runs\": \(max(1, runs))}")
        } else {
            print("teacher forward \(batch)×\(sequence), one thread: \(fixed2(tokensPerSecond)) tokens/s "
                  + "(\(fixed2(tokensPerCPUSecond)) per CPU second), \(fixed2(modelGFLOPS)) GFLOP/s; "
                  + "sgemm \(fixed2(sgemmGFLOPS)) GFLOP/s; utilization \(fixed2(utilization * 100))%")
        }
    }

    /// Median wall-clock and median CPU seconds of `runs` calls of `body`.
    private func medianTimes(runs: Int, _ body: () throws -> Void) throws -> (wall: Double, cpu: Double) {
        var wall: [Double] = [], cpu: [Double] = []
        for _ in 0..<runs {
            let cpuStart = processCPUSeconds()
            let elapsed = try ContinuousClock().measure(body)
            cpu.append(processCPUSeconds() - cpuStart)
            wall.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        return (wall.sorted()[runs / 2], cpu.sorted()[runs / 2])
    }

    /// CPU time used by this process so far (all threads).
    private func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    private func fixed2(_ value: Double) -> String { String(format: "%.2f", value) }
}
