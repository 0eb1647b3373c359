import ArgumentParser
import Engine
import Foundation
import Teacher

/// `ddk bench teacher`: forward-only throughput of the teacher on one thread.
struct BenchTeacherCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teacher",
        abstract: "Teacher forward throughput (batch 4 × 256, one thread) and its sgemm utilization.",
        discussion: """
            Times the forward pass including the LM head logits on batch × sequence tokens \
            (one warm-up run, then the median of --runs), and a single-thread sgemm of the \
            teacher's FFN shape as the machine's peak. JSON fields: tokens_per_second, \
            sgemm_gflops, utilization (model GFLOP/s ÷ sgemm GFLOP/s), model_gflops, \
            batch, sequence, runs.
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
        let files = try LanguageModelFiles(path: model)
        let inference = try files.makeInference(maxBatchSize: batch, maxSequenceLength: sequence)
        let config = files.config
        var random = SeededGenerator(seed: 1)
        let tokens = (0..<(batch * sequence)).map { _ in Int32(random.next() % UInt64(config.vocabularySize)) }
        var checksum: Float = 0
        func forwardOnce() throws {
            try inference.forward(tokens: tokens, batchSize: batch, sequenceLength: sequence)
            try inference.logits { _, _, logits in checksum += logits[0] }
        }
        try forwardOnce()
        var seconds: [Double] = []
        for _ in 0..<max(1, runs) { seconds.append(try timed(forwardOnce)) }
        let median = seconds.sorted()[seconds.count / 2]
        let tokensPerSecond = Double(batch * sequence) / median
        let modelGFLOPS = tokensPerSecond * config.forwardFlopsPerToken(sequenceLength: sequence) / 1e9
        let sgemmGFLOPS = try sgemmPeak(m: batch * sequence, n: config.intermediateSize, k: config.hiddenSize)
        let utilization = modelGFLOPS / sgemmGFLOPS
        guard checksum.isFinite else { throw ValidationError("the forward pass produced non-finite logits") }
        if json {
            print("{\"tokens_per_second\": \(round2(tokensPerSecond)), \"sgemm_gflops\": \(round2(sgemmGFLOPS)), "
                  + "\"utilization\": \(round2(utilization * 100) / 100), \"model_gflops\": \(round2(modelGFLOPS)), "
                  + "\"batch\": \(batch), \"sequence\": \(sequence), \"runs\": \(seconds.count)}")
        } else {
            print("teacher forward \(batch)×\(sequence), one thread: \(round2(tokensPerSecond)) tokens/s, "
                  + "\(round2(modelGFLOPS)) GFLOP/s = \(round2(utilization * 100))% of sgemm \(round2(sgemmGFLOPS)) GFLOP/s")
        }
    }

    /// Single-thread sgemm GFLOP/s for out (m,n) = a (m,k) · b(n,k)ᵀ, median of 5.
    private func sgemmPeak(m: Int, n: Int, k: Int) throws -> Double {
        let a = FloatBuffer(count: m * k), b = FloatBuffer(count: n * k), c = FloatBuffer(count: m * n)
        a.buffer.update(repeating: 0.5); b.buffer.update(repeating: 0.25)
        Matmul.forward(out: c.pointer, inp: a.pointer, weight: b.pointer, rows: m, inputWidth: k, outputWidth: n)
        var seconds: [Double] = []
        for _ in 0..<5 {
            seconds.append(try timed {
                Matmul.forward(out: c.pointer, inp: a.pointer, weight: b.pointer, rows: m, inputWidth: k, outputWidth: n)
            })
        }
        return 2 * Double(m * n * k) / seconds.sorted()[2] / 1e9
    }

    private func timed(_ body: () throws -> Void) throws -> Double {
        let elapsed = try ContinuousClock().measure(body)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    private func round2(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
