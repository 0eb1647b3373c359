import ArgumentParser
import DataPipeline
import Distillation
import Engine
import Foundation
import LanguageModels
import TrainingCore

/// `ddk bench capture`: what the teacher-target store costs and changes, on a config's real
/// teacher and shards: the teacher's capture speed (forward pass and top-k selection, one
/// process), bytes per token and decoding speed for each log-probability width, and how far
/// the stored targets move the KD loss and its gradient from the exact float32 targets.
struct BenchCaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Measure the teacher-target store: bytes per token, capture speed, loss and gradient agreement.")

    @OptionGroup var output: JSONOutputOption

    @Option(help: "The run config (kd with top_k): its teacher, shards, k, τ and distance.")
    var config: String

    @OptionGroup var overrides: ConfigOverridesOption

    @Option(name: .long, help: "Training sequences per domain (its first ones) to capture and compare.")
    var sequences = 4

    @Option(name: .long, help: "Comma-separated log-probability widths (4...16 quantized, 32 exact).")
    var bits = "6,8,10,12,32"

    @OptionGroup var blas: ThreadsOption

    /// `--json` output (field names as in the README).
    struct Report: Encodable {
        var teacher: String
        var topK: Int
        var temperature: Double
        var distance: String
        var sequenceLength: Int
        var domains: Int
        var tokens: Int
        var threads: Int
        var captureSeconds: Double
        var captureTokensPerSecond: Double
        var encodings: [Encoding]
    }

    /// One log-probability width.
    struct Encoding: Encodable {
        var logProbabilityBits: Int
        var bytesPerToken: Double
        var decodeTokensPerSecond: Double
        var students: [StoreAgreement.Figures]
    }

    func run() throws {
        blas.apply()
        let loaded = try DistillConfig.load(path: config, overrides: overrides.overrides)
        guard let topK = loaded.objective.topK, let temperature = loaded.objective.temperature else {
            throw ValidationError("\(config): bench capture needs objective.top_k and objective.temperature")
        }
        let widths = try bits.split(separator: ",").map { value -> Int in
            guard let width = Int(value), TargetRowCodec.allowedBits.contains(width) else {
                throw ValidationError("--bits: '\(value)' is not 4...16 or 32")
            }
            return width
        }
        let distance = try Distance(name: loaded.objective.distance ?? "fkl", skew: Float(loaded.objective.skew ?? Double(Distance.defaultSkew)))
        let teacher = try ModelSource(path: loaded.teacher.model, role: .teacher)
        let dataset = try JobVocabularies(config: loaded, teacher: teacher).openShards(loaded)
        let T = dataset.sequenceLength, V = teacher.architecture.vocabularySize
        let format = TeacherMessageFormat(requirements: [.topKLogProbabilities], rows: sequences * T, k: topK, vocabularySize: V,
                                          hiddenWidth: 0, temperature: Float(temperature))
        let worker = TeacherWorker(model: try teacher.loadInference(sequences, T), format: format)
        var measured = Measurements(widths: widths, topK: topK, vocabularySize: V, temperature: Float(temperature))
        let domains = dataset.domains.filter { $0.train.count >= sequences }
        for (index, domain) in domains.enumerated() {
            if !output.json { FileHandle.standardError.write(Data("bench capture: domain \(domain.name) (\(index + 1)/\(domains.count))\n".utf8)) }
            try measured.add(domain: domain, sequences: sequences, worker: worker, distance: distance)
        }
        let report = Report(teacher: loaded.teacher.model, topK: topK, temperature: temperature, distance: distance.name,
                            sequenceLength: T, domains: domains.count, tokens: measured.tokens, threads: blas.threads,
                            captureSeconds: measured.captureSeconds,
                            captureTokensPerSecond: Double(measured.tokens) / measured.captureSeconds,
                            encodings: measured.encodings)
        if output.json { try printJSON(report) } else { Self.printText(report) }
    }

    static func printText(_ report: Report) {
        print(String(format: "teacher %@, k %d, τ %.1f, %@: %d tokens captured at %.0f tokens/s (one process, %d thread%@)",
                     report.teacher, report.topK, report.temperature, report.distance, report.tokens,
                     report.captureTokensPerSecond, report.threads, report.threads == 1 ? "" : "s"))
        for encoding in report.encodings {
            print(String(format: "  %2d bits: %.1f bytes/token, decoded at %.0f tokens/s", encoding.logProbabilityBits,
                         encoding.bytesPerToken, encoding.decodeTokensPerSecond))
            for student in encoding.students {
                print(String(format: "    %@: loss %.6f stored %.6f (rel %+.2e), gradient cosine %.7f", student.student,
                             student.exactLoss, student.storedLoss, student.relativeDifference, student.gradientCosine))
            }
        }
    }
}

/// The running figures of `bench capture`, domain by domain.
struct Measurements {
    let codecs: [TargetRowCodec]
    var tokens = 0
    var captureSeconds = 0.0
    var bytes: [Int]
    var decodeSeconds: [Double]
    var agreements: [[StoreAgreement]] = []

    init(widths: [Int], topK: Int, vocabularySize: Int, temperature: Float) {
        codecs = widths.map { TargetRowCodec(k: topK, vocabularySize: vocabularySize, temperature: temperature, logProbabilityBits: $0) }
        bytes = widths.map { _ in 0 }
        decodeSeconds = widths.map { _ in 0 }
    }

    /// Captures `sequences` of `domain` once, then encodes, decodes and compares them at every width.
    mutating func add(domain: PreparedDataset.Domain, sequences: Int, worker: TeacherWorker, distance: Distance) throws {
        let T = worker.format.rows / sequences
        let batch = SequenceBatch(sequences: (0..<sequences).flatMap { domain.train.sequence($0) }, batchSize: sequences, sequenceLength: T)
        let started = Date()
        guard let exact = try worker.outputs(for: batch, step: 0, studentIndex: 0).topK else {
            throw ValidationError("the teacher sent no top-k targets")
        }
        captureSeconds += Date().timeIntervalSince(started)
        tokens += batch.labelCount
        let V = worker.model.vocabularySize
        var teacherLogits = [Float](repeating: 0, count: batch.labelCount * V)
        try teacherLogits.withUnsafeMutableBufferPointer { all in
            try worker.model.logits { start, count, chunk in (all.baseAddress! + start * V).update(from: chunk, count: count * V) }
        }
        let students = try BenchTopKCommand.students(teacherLogits: teacherLogits, ids: batch.inputs, vocabularySize: V)
        teacherLogits = []
        if agreements.isEmpty { agreements = codecs.map { _ in students.map { StoreAgreement(student: $0.0) } } }
        for (c, codec) in codecs.enumerated() {
            let encoded = codec.encodeSequences(exact, sequenceLength: T)
            bytes[c] += TargetStoreBlock.encode(domain: 0, firstSequence: 0, sequences: encoded).count
            let decodeStarted = Date()
            let stored = try codec.decodeSequences(encoded, sequenceLength: T)
            decodeSeconds[c] += Date().timeIntervalSince(decodeStarted)
            for (s, student) in students.enumerated() {
                agreements[c][s].add(student: student.1, exact: exact, stored: stored, distance: distance)
            }
        }
    }

    var encodings: [BenchCaptureCommand.Encoding] {
        codecs.indices.map { c in
            BenchCaptureCommand.Encoding(logProbabilityBits: codecs[c].logProbabilityBits,
                                         bytesPerToken: Double(bytes[c]) / Double(max(tokens, 1)),
                                         decodeTokensPerSecond: Double(tokens) / max(decodeSeconds[c], 1e-9),
                                         students: agreements[c].map(\.figures))
        }
    }
}
