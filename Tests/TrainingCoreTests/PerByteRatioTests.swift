import DataPipeline
import Engine
import Foundation
import LanguageModels
import Tokenizer
import TrainingCore
import XCTest

/// With one vocabulary, per-byte and per-token DDK figures measure the same thing: on the
/// tiny shards' validation sequences, with the SmolLM2 teacher and a 27-block student made
/// from it, (1) the teacher's per-byte NLL, which re-tokenizes each window's text
/// (`ScoredText`: BOS, the first token's bytes as context), is within 5% of its NLL over
/// the shards' own ids divided by the same bytes, and (2) each domain's per-byte ratio is
/// its per-token ratio raised to (tokens / bytes), within 5% in log space. The two
/// rankings of the domains need not agree: the exponent differs between domains (code has
/// more bytes per token), which is why across vocabularies only per-byte figures compare.
/// Skips visibly without the SmolLM2 file or the tiny shards (launch/prepare-tiny).
final class PerByteRatioTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testPerByteAndPerTokenRatiosOrderTheDomainsAlike() throws {
        let smol = Self.root.appendingPathComponent("data/teacher/SmolLM2-135M-Instruct.Q4_1.gguf").path
        let shards = Self.root.appendingPathComponent("data/tiny/shards/domains.json").path
        for path in [smol, shards] where !FileManager.default.fileExists(atPath: path) {
            throw XCTSkip("SKIPPED: \(path) not found; run launch/fetch-teacher and launch/prepare-tiny")
        }
        BLASThreads.set(1)
        let source = try ModelSource(path: smol, role: .teacher)
        let tokenizer = try GGUFTokenizer.load(ggufAt: smol)
        let T = 32, count = 4
        let dataset = try PreparedDataset(summaryPath: shards, tokenizerIdentity: tokenizer.identity, vocabularySize: tokenizer.vocabularySize,
                                          sequenceLength: T, validationSequences: count, shuffleSeed: 1)
        let sharding = ValidationSharding(dataset: dataset, sequencesPerDomain: count)
        let cross = CrossTokenization(studentTokenizer: tokenizer, teacherTokenizer: tokenizer, teacherSequenceLength: T)
        let teacher = try source.load(count, 2 * T)
        var studentConfig = teacher.config
        studentConfig.layerCount = 27
        let student = try LlamaInference(config: studentConfig, maxBatchSize: count, maxSequenceLength: T)
        try StudentInitializer.copyTeacherLayers(Array(0..<24) + [26, 28, 29], from: teacher.layout, parameters: teacher.parameters,
                                                 into: student.layout, parameters: student.parameters)

        let teacherTokens = try sharding.evaluate(worker: 0, of: 1, maxBatch: count, crossEntropy: teacher.crossEntropy)
        let studentTokens = try sharding.evaluate(worker: 0, of: 1, maxBatch: count, crossEntropy: student.crossEntropy)
        let format = TeacherMessageFormat(requirements: [], rows: count * T, k: 0, vocabularySize: tokenizer.vocabularySize,
                                          hiddenWidth: 0, temperature: 1)
        let byteWorker = TeacherWorker(model: teacher, format: format, crossTokenization: cross, perplexityUnit: .byte)
        let teacherBytes = try sharding.evaluate(worker: 0, of: 1, maxBatch: count, crossEntropy: byteWorker.crossEntropy)
        let domains = dataset.domains.count
        var studentBytes = studentTokens
        studentBytes.replaceSubrange(domains..., with: try sharding.labelBytes(studentTokenizer: tokenizer))
        XCTAssertEqual(Array(teacherBytes[domains...]), Array(studentBytes[domains...]), "both sides measure the same bytes")

        let perToken = zip(ValidationSharding.perplexities(studentTokens), ValidationSharding.perplexities(teacherTokens)).map { $0 / $1 }
        let perByte = zip(ValidationSharding.perplexities(studentBytes), ValidationSharding.perplexities(teacherBytes)).map { $0 / $1 }
        let tokensPerByte = (0..<domains).map { studentTokens[domains + $0] / studentBytes[domains + $0] }
        let predicted = (0..<domains).map { Foundation.exp(Foundation.log(perToken[$0]) * tokensPerByte[$0]) }
        print("teacher NLL re-tokenized \(teacherBytes[..<domains]) vs shards' ids \(teacherTokens[..<domains])")
        print("per-token ratios \(perToken), per-byte ratios \(perByte), per-token^(tokens/bytes) \(predicted) (\(dataset.domainNames))")
        XCTAssertTrue(perToken.allSatisfy { $0 > 1 } && perByte.allSatisfy { $0 > 1 }, "the 27-block student trails the teacher")
        for domain in 0..<domains {
            let retokenized = teacherBytes[domain], ownIds = teacherTokens[domain]
            XCTAssertLessThan(abs(retokenized / ownIds - 1), 0.05, "teacher NLL of \(dataset.domainNames[domain]): \(retokenized) vs \(ownIds)")
            let logPredicted = Foundation.log(predicted[domain]), logMeasured = Foundation.log(perByte[domain])
            XCTAssertLessThan(abs(logMeasured - logPredicted), 0.05 * logPredicted, dataset.domainNames[domain])
        }
    }
}
