import Engine

/// One forward (with logits) of a SmolLM2-135M-shaped teacher with random weights: speed only.
struct TeacherInferenceFigures {
    var tokensPerSecond = 0.0
    var seconds = 0.0
    var cpuSeconds = 0.0
    var gflops = 0.0

    /// The figures when the teacher is not measured (`--teacher-batch 0`).
    static let skipped = TeacherInferenceFigures()

    static func measure(batchSize: Int, sequenceLength T: Int, log: (String) -> Void) throws -> TeacherInferenceFigures {
        let teacher = LlamaConfig.smolLM2_135M
        let inference = try LlamaInference(config: teacher, maxBatchSize: batchSize, maxSequenceLength: T)
        var r = SeededGenerator(seed: 5)
        r.fillNormal(inference.parameters.buffer, standardDeviation: 0.02)
        let tt = (0..<(batchSize * T)).map { _ in Int32(r.next() % UInt64(teacher.vocabularySize)) }
        var sink: Float = 0
        let c0 = cpuNow()
        let t0 = now()
        try inference.forward(tokens: tt, batchSize: batchSize, sequenceLength: T)
        try inference.logits { _, rows, logits in sink += logits[rows - 1] }
        var figures = TeacherInferenceFigures()
        figures.seconds = now() - t0
        figures.cpuSeconds = cpuNow() - c0
        figures.tokensPerSecond = Double(batchSize * T) / figures.seconds
        figures.gflops = teacher.forwardFlopsPerToken(sequenceLength: T) * Double(batchSize * T) / figures.seconds / 1e9
        log("teacher inference \(batchSize)×\(T): \(fmt(figures.seconds)) s, \(fmt(figures.tokensPerSecond)) tokens/s, \(fmt(figures.gflops)) GFLOP/s (\(sink.isFinite ? "finite" : "non-finite") logits)")
        return figures
    }
}
