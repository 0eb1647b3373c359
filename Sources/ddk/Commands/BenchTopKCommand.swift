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

    @Flag(name: .long, help: "Print one JSON object on stdout.")
    var json = false

    @Option(name: .long, help: "Teacher GGUF file.")
    var teacher = ProcessInfo.processInfo.environment["DDK_TEACHER_GGUF"] ?? "data/teacher/SmolLM2-135M-Instruct.Q4_1.gguf"

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

    @Option(name: .long, help: "OpenBLAS threads.")
    var threads = 1

    func run() throws {
        BLASThreads.set(threads)
        let kValues = try k.split(separator: ",").map { value -> Int in
            guard let v = Int(value), v > 0 else { throw ValidationError("--k: '\(value)' is not a positive integer") }
            return v
        }
        let distanceList = try distances.split(separator: ",").map { try Distance(name: String($0)) }
        let temperatureList = try temperatures.split(separator: ",").map { value -> Float in
            guard let t = Float(value), t > 0 else { throw ValidationError("--temperatures: '\(value)' is not a positive number") }
            return t
        }
        let files = try ModelSource(path: teacher, role: .teacher)
        let tokenizer = try files.tokenizer(checkpointTokenizer: teacher)
        let text = try String(contentsOfFile: textFile, encoding: .utf8)
        let ids = Array(try tokenizer.encode(text).prefix(tokens))
        guard ids.count >= 2 else { throw ValidationError("\(textFile): fewer than 2 tokens") }
        let n = ids.count, v = files.config.vocabularySize

        let inference = try files.load(1, n)
        _ = try inference.forward(tokens: ids, batchSize: 1, sequenceLength: n)
        var teacherLogits = [Float](repeating: 0, count: n * v)
        try inference.logits { start, rows, logits in
            for i in 0..<(rows * v) { teacherLogits[start * v + i] = logits[i] }
        }

        // students
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
        let students: [(String, [Float])] = [("teacher_plus_noise_1", noisy), ("teacher_times_0.7", smoothed),
                                             ("fresh_reference_student", freshLogits)]

        let scratch = KernelScratch()
        var rows: [[String: Any]] = []
        let ones = [Float](repeating: 1, count: n)
        for temperature in temperatureList {
            var targetsByK: [Int: TopKTargets] = [:]
            for kValue in kValues where kValue <= v {
                targetsByK[kValue] = try TopKTargets(teacherLogits: teacherLogits, rowCount: n, vocabularySize: v, k: kValue, temperature: temperature)
            }
            for (studentName, student) in students {
                for distance in distanceList {
                    var full = [Float](repeating: 0, count: n)
                    distance.forward(losses: &full, student: student, teacher: teacherLogits, rowCount: n, vocabularySize: v,
                                     temperature: temperature, scratch: scratch)
                    var fullGradient = [Float](repeating: 0, count: n * v)
                    distance.backward(studentGradient: &fullGradient, teacherGradient: nil, dLosses: ones, student: student,
                                      teacher: teacherLogits, rowCount: n, vocabularySize: v, temperature: temperature, scratch: scratch)
                    let fullMean = full.reduce(0.0) { $0 + Double($1) } / Double(n)
                    for kValue in kValues where kValue <= v {
                        let targets = targetsByK[kValue]!
                        var top = [Float](repeating: 0, count: n)
                        distance.forward(losses: &top, student: student, targets: targets, rowCount: n, scratch: scratch)
                        var topGradient = [Float](repeating: 0, count: n * v)
                        distance.backward(studentGradient: &topGradient, dLosses: ones, student: student, targets: targets,
                                          rowCount: n, scratch: scratch)
                        let topMean = top.reduce(0.0) { $0 + Double($1) } / Double(n)
                        var absolute = 0.0
                        for r in 0..<n { absolute += abs(Double(top[r]) - Double(full[r])) }
                        var dot = 0.0, a2 = 0.0, b2 = 0.0
                        for i in 0..<(n * v) {
                            dot += Double(fullGradient[i]) * Double(topGradient[i])
                            a2 += Double(fullGradient[i]) * Double(fullGradient[i]); b2 += Double(topGradient[i]) * Double(topGradient[i])
                        }
                        let tail = targets.tailMass.reduce(0.0) { $0 + Double($1) } / Double(n)
                        rows.append(["student": studentName, "distance": distance.name, "temperature": Double(temperature), "k": kValue,
                                     "full_loss": fullMean, "topk_loss": topMean, "loss_difference": topMean - fullMean,
                                     "relative_difference": fullMean != 0 ? (topMean - fullMean) / fullMean : 0,
                                     "mean_abs_row_difference": absolute / Double(n),
                                     "gradient_cosine": dot / max((a2 * b2).squareRoot(), 1e-300),
                                     "teacher_tail_mass": tail])
                        if !json {
                            print("\(studentName) \(distance.name) τ=\(temperature) k=\(kValue): full \(String(format: "%.5f", fullMean)) top-k \(String(format: "%.5f", topMean)) (rel \(String(format: "%+.2e", fullMean != 0 ? (topMean - fullMean) / fullMean : 0))), gradient cosine \(String(format: "%.6f", dot / max((a2 * b2).squareRoot(), 1e-300))), teacher tail \(String(format: "%.4f", tail))")
                        }
                    }
                }
            }
        }
        if json {
            let report: [String: Any] = ["teacher": teacher, "text_file": textFile, "tokens": n, "vocabulary": v, "results": rows]
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
