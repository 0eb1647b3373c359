import ArgumentParser
import Distillation
import Engine
import Foundation
import LanguageModels

/// `ddk bench topk`: how far the top-k + tail-bucket treatment moves the KD loss and its
/// gradient from the full-vocabulary version, on real teacher logits for a text.
/// Students: the teacher's logits plus Gaussian noise, the teacher smoothed (logits × 0.7),
/// and a freshly initialized reference student (near uniform).
struct BenchTopKCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topk",
        abstract: "Compare full-vocabulary and top-k KD losses and gradients on real teacher logits.")

    @OptionGroup var output: JSONOutputOption

    @OptionGroup var teacher: TeacherOption

    @Option(name: .long, help: "Text file the teacher reads (its first --tokens tokens).")
    var textFile: String

    @Option(name: .long, help: "Token positions to evaluate.")
    var tokens = 256

    @Option(name: .long, help: "Comma-separated k values.")
    var k = "16,64,256"

    @Option(name: .long, help: "Comma-separated distances.")
    var distances = "fkl,rkl"

    @Option(name: .long, help: "Comma-separated KD temperatures.")
    var temperatures = "1,2"

    @OptionGroup var blas: ThreadsOption

    /// `--json` output (field names as in the README).
    struct Report: Encodable {
        var teacher: String
        var textFile: String
        var tokens: Int
        var vocabulary: Int
        var results: [TopKComparison]
    }

    func run() throws {
        blas.apply()
        let kValues = try k.split(separator: ",").map { value -> Int in
            guard let v = Int(value), v > 0 else { throw ValidationError("--k: '\(value)' is not a positive integer") }
            return v
        }
        let distanceList = try distances.split(separator: ",").map { try Distance(name: String($0)) }
        let temperatureList = try temperatures.split(separator: ",").map { value -> Float in
            guard let t = Float(value), t > 0 else { throw ValidationError("--temperatures: '\(value)' is not a positive number") }
            return t
        }
        let (ids, teacherLogits, v) = try readTeacherLogits()
        let n = ids.count
        let students = try Self.students(teacherLogits: teacherLogits, ids: ids, vocabularySize: v)
        var results: [TopKComparison] = []
        for temperature in temperatureList {
            var targetsByK: [Int: TopKTargets] = [:]
            for kValue in kValues where kValue <= v {
                targetsByK[kValue] = try TopKTargets(teacherLogits: teacherLogits, rowCount: n, vocabularySize: v, k: kValue, temperature: temperature)
            }
            for (studentName, student) in students {
                for distance in distanceList {
                    let comparisons = TopKComparison.compare(student: student, named: studentName, teacher: teacherLogits,
                                                             rowCount: n, vocabularySize: v, distance: distance,
                                                             temperature: temperature, targetsByK: targetsByK, kValues: kValues)
                    if !output.json { comparisons.forEach { print($0.line) } }
                    results += comparisons
                }
            }
        }
        if output.json {
            try printJSON(Report(teacher: teacher.teacher, textFile: textFile, tokens: n, vocabulary: v, results: results))
        }
    }

    /// The text's first --tokens token ids and the teacher's logits for them (row-major, n × V).
    private func readTeacherLogits() throws -> (ids: [Int32], logits: [Float], vocabularySize: Int) {
        let source = try teacher.open()
        let tokenizer = try source.tokenizer(checkpointTokenizer: teacher.teacher)
        let text = try String(contentsOfFile: textFile, encoding: .utf8)
        let ids = Array(try tokenizer.encode(text).prefix(tokens))
        guard ids.count >= 2 else { throw ValidationError("\(textFile): fewer than 2 tokens") }
        let n = ids.count, v = source.architecture.vocabularySize
        let inference = try source.load(1, n)
        _ = try inference.forward(tokens: ids, batchSize: 1, sequenceLength: n)
        var teacherLogits = [Float](repeating: 0, count: n * v)
        try inference.logits { start, rows, logits in
            for i in 0..<(rows * v) { teacherLogits[start * v + i] = logits[i] }
        }
        return (ids, teacherLogits, v)
    }

    /// The students' logits: the teacher's plus N(0, 1) noise, the teacher's × 0.7, a fresh reference student's.
    static func students(teacherLogits: [Float], ids: [Int32], vocabularySize v: Int) throws -> [(String, [Float])] {
        let n = ids.count
        var rng = SeededGenerator(seed: 11)
        var noise = [Float](repeating: 0, count: n * v)
        noise.withUnsafeMutableBufferPointer { rng.fillNormal($0, standardDeviation: 1) }
        let noisy = zip(teacherLogits, noise).map { $0 + $1 }
        let smoothed = teacherLogits.map { $0 * 0.7 }
        let studentConfig = try LlamaConfig(hiddenSize: 256, intermediateSize: 704, layerCount: 6, attentionHeadCount: 4,
                                            keyValueHeadCount: 2, vocabularySize: v, maxPositionEmbeddings: max(n, 2048))
        let fresh = try LlamaModel(config: studentConfig, batchSize: 1, sequenceLength: n, seed: 5)
        try fresh.forward(tokens: ids, batchSize: 1, sequenceLength: n)
        var freshLogits = [Float](repeating: 0, count: n * v)
        try fresh.logits { start, rows, logits in
            for i in 0..<(rows * v) { freshLogits[start * v + i] = logits[i] }
        }
        return [("teacher_plus_noise_1", noisy), ("teacher_times_0.7", smoothed), ("fresh_reference_student", freshLogits)]
    }
}
