import DataPipeline
import Engine
import Foundation
import LanguageModels
import TrainingCore
import XCTest

/// `ddk eval`'s runtime part on the tiny fixtures (launch/prepare-tiny): the checkpoint's and
/// the teacher's per-domain validation perplexity against an independent per-sequence
/// computation with the training model, the teacher cache (measured, then read), the run
/// folder's "before" and run-state weights, and the one-line refusals.
final class CheckpointEvaluationTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    var scratch: URL!

    override func setUpWithError() throws {
        let teacher = Self.root.appendingPathComponent("data/tiny/teacher/model.safetensors").path
        let shards = Self.root.appendingPathComponent("data/tiny/shards/domains.json").path
        guard FileManager.default.fileExists(atPath: teacher), FileManager.default.fileExists(atPath: shards) else {
            throw XCTSkip("SKIPPED: data/tiny is missing; run launch/prepare-tiny .build/release/ddk (needs the teacher GGUF's tokenizer)")
        }
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ddk-eval-tests-\(getpid())-\(name.hashValue)")
        try? FileManager.default.removeItem(at: scratch)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        // A private copy of the shards (without the cache), so the teacher is measured here.
        let copy = scratch.appendingPathComponent("shards")
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("data/tiny/shards"), to: copy)
        try? FileManager.default.removeItem(at: copy.appendingPathComponent("cache"))
    }

    override func tearDownWithError() throws {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    /// The tiny config with the private shards and the tiny teacher by absolute path.
    func tinyConfig(_ extra: [String] = []) throws -> DistillConfig {
        try DistillConfig.load(path: Self.root.appendingPathComponent("launch/configs/tiny.toml").path,
                               overrides: ["data.shards=\"\(scratch.appendingPathComponent("shards").path)\"",
                                           "teacher.model=\"\(Self.root.appendingPathComponent("data/tiny/teacher").path)\""] + extra)
    }

    /// A seeded random student of the tiny config's architecture (or `architecture`) written
    /// to `folder` with the given metadata.
    @discardableResult
    func writeStudent(to folder: URL, config: DistillConfig, teacher: ModelSource, seed: UInt64 = 5,
                      architecture: LlamaConfig? = nil, metadata: [String: String]) throws -> LlamaModel {
        let shape = try architecture ?? StudentInitializer.architecture(config.student, teacher: teacher.config)
        let model = try LlamaModel(config: shape, batchSize: 1, sequenceLength: config.data.sequenceLength, seed: seed)
        try Checkpoint.saveModel(parameters: model.parameters, layout: model.layout, to: folder, metadata: metadata)
        return model
    }

    /// exp(mean NLL) of every domain, one sequence at a time through `crossEntropy`.
    func perSequencePerplexities(_ dataset: PreparedDataset, sequences: Int,
                                 crossEntropy: (SequenceBatch) throws -> (sum: Double, count: Int)) throws -> [Double] {
        let T = dataset.sequenceLength
        return try dataset.domains.indices.map { domain in
            let tokens = try dataset.validationBatch(domain: domain, count: sequences)
            var sum = 0.0, count = 0
            for index in 0..<sequences {
                let result = try crossEntropy(SequenceBatch(sequences: Array(tokens[index * (T + 1)..<(index + 1) * (T + 1)]),
                                                            batchSize: 1, sequenceLength: T))
                sum += result.sum
                count += result.count
            }
            return exp(sum / Double(count))
        }
    }

    func assertRelativelyEqual(_ a: [Double], _ b: [Double], tolerance: Double, _ what: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertLessThanOrEqual(abs(x - y), tolerance * abs(y), "\(what): \(a) vs \(b)", file: file, line: line)
        }
    }

    func testPerplexitiesMatchAPerSequenceComputationAndTheTeacherIsCachedOnce() throws {
        let config = try tinyConfig()
        let teacher = try ModelSource(path: config.teacher.model, role: .teacher)
        let folder = scratch.appendingPathComponent("student")
        let model = try writeStudent(to: folder, config: config, teacher: teacher,
                                     metadata: [ModelSource.tokenizerIdentityKey: try teacher.requiredTokenizerIdentity(), "step": "5"])
        let checkpoint = try StudentCheckpoint(folder: folder.path)
        XCTAssertEqual(checkpoint.step, 5)
        XCTAssertNil(checkpoint.runState)
        XCTAssertNil(checkpoint.runConfigPath)

        let evaluator = try CheckpointEvaluator(config: config, teacher: teacher)
        var lines: [String] = []
        let first = try evaluator.evaluate(checkpoint, configPath: "tiny.toml", progress: { lines.append($0) })
        XCTAssertEqual(first.teacherPplSource, .measured)
        XCTAssertTrue(lines.contains { $0.contains("not cached") }, "\(lines)")
        XCTAssertEqual(first.domains.map(\.name), evaluator.dataset.domainNames)
        XCTAssertEqual(first.step, 5)
        XCTAssertEqual(first.tokenizerIdentity, teacher.tokenizerIdentity)
        XCTAssertTrue(first.domains.allSatisfy { $0.weight == nil && $0.studentPplBefore == nil })

        // Independent: the training model (not the inference model eval uses), one sequence per pass.
        let V = model.config.vocabularySize
        let student = try perSequencePerplexities(evaluator.dataset, sequences: config.data.validationSequences) { batch in
            try model.forward(tokens: batch.inputs, batchSize: 1, sequenceLength: batch.sequenceLength)
            var loss = try CrossEntropyLoss(targets: batch.labels, vocabularySize: V)
            try model.lmHeadLoss(&loss, computeGradients: false)
            return (loss.lossSum, loss.labelCount)
        }
        assertRelativelyEqual(first.domains.map(\.studentPpl), student, tolerance: 1e-5, "student perplexity")
        let frozenTeacher = try teacher.load(1, config.data.sequenceLength)
        let teacherReference = try perSequencePerplexities(evaluator.dataset, sequences: config.data.validationSequences,
                                                           crossEntropy: frozenTeacher.crossEntropy)
        assertRelativelyEqual(first.domains.map(\.teacherPpl), teacherReference, tolerance: 1e-5, "teacher perplexity")
        XCTAssertEqual(first.meanStudentPpl, student.reduce(0, +) / Double(student.count), accuracy: 1e-5 * first.meanStudentPpl)

        // The cache ddk distill reads now holds it; a second evaluation reads it, same figures.
        let cacheFiles = try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("shards/cache").path)
        XCTAssertEqual(cacheFiles.filter { $0.hasPrefix("teacher-perplexity-") }.count, 1, "\(cacheFiles)")
        let second = try evaluator.evaluate(checkpoint, configPath: "tiny.toml")
        XCTAssertEqual(second.teacherPplSource, .cache)
        XCTAssertEqual(second.domains, first.domains)

        // One JSON object with the documented names; unknown values are null.
        let object = try JSONSerialization.jsonObject(with: Data(try first.jsonText().utf8)) as! [String: Any]
        XCTAssertEqual(Set(object.keys), ["checkpoint", "step", "config", "teacher", "shards", "sequence_length",
                                          "validation_sequences", "first_validation_sequence", "perplexity_unit",
                                          "teacher_ppl_source", "tokenizer_identity", "start_step",
                                          "domains", "mean_teacher_ppl", "mean_student_ppl", "mean_student_ppl_before"])
        XCTAssertTrue(object["start_step"] is NSNull)
        XCTAssertEqual(object["perplexity_unit"] as? String, "token", "one vocabulary: per token")
        XCTAssertEqual(object["first_validation_sequence"] as? Int, 0)
        let domain = (object["domains"] as! [[String: Any]])[0]
        XCTAssertEqual(Set(domain.keys), ["name", "teacher_ppl", "student_ppl", "student_ppl_before", "ratio", "weight"])
        XCTAssertTrue(domain["weight"] is NSNull)
        XCTAssertEqual(object["teacher_ppl_source"] as? String, "measured")
    }

    func testRunFolderGivesTheStartAndRunStateTheWeights() throws {
        let config = try tinyConfig()
        let teacher = try ModelSource(path: config.teacher.model, role: .teacher)
        let run = scratch.appendingPathComponent("run")
        let folder = run.appendingPathComponent("checkpoints/step-4")
        try writeStudent(to: folder, config: config, teacher: teacher,
                         metadata: [ModelSource.tokenizerIdentityKey: try teacher.requiredTokenizerIdentity(), "step": "4",
                                    "config_hash": "00000000000000aa"])
        let evaluator = try CheckpointEvaluator(config: config, teacher: teacher)
        let names = evaluator.dataset.domainNames
        var history = WeightHistory(initial: .uniform(count: names.count))
        try history.set(try DomainWeights([0.5, 0.3, 0.2], domainNames: names), fromStep: 0)
        try history.set(try DomainWeights([0.2, 0.3, 0.5], domainNames: names), fromStep: 4)
        var cursor = SamplerCursor(domainCount: names.count)
        cursor.step = 4
        cursor.served = [8, 8, 8]  // 4 steps of 6 sequences
        let state = RunState(step: 4, tokensSeen: 4 * 6 * 32, configHash: "00000000000000aa", seed: 7, globalBatchSequences: 6,
                             sequenceLength: 32, studentCount: 1, domainNames: names,
                             samplerCursor: cursor, weightHistory: history, intervalSteps: 4)
        try state.encoded().write(to: folder.appendingPathComponent(RunState.fileName))
        try Data(try config.tomlText().utf8).write(to: run.appendingPathComponent("config.toml"))
        let log = try MetricsLog(path: run.appendingPathComponent("metrics.jsonl").path)
        try log.append(.run(RunRecord(name: "tiny", config: try config.tomlText(), configHash: "00000000000000aa", worldSize: 1, teacherRanks: [0],
                                      studentRanks: [0], hostnames: [], versions: [:], startStep: 0)))
        let before = [900.0, 800.0, 700.0]
        try log.append(.ddk(DDKRecord(step: 0, mode: .smooth, alpha: 0.5, domains: names.indices.reversed().map {
            DDKRecord.Domain(name: names[$0], studentPpl: before[$0], teacherPpl: 1, weightBefore: 0, weightAfter: 0)
        })))
        try log.append(.ddk(DDKRecord(step: 4, mode: .smooth, alpha: 0.5, domains: names.map {
            DDKRecord.Domain(name: $0, studentPpl: 1, teacherPpl: 1, weightBefore: 0, weightAfter: 0)
        })))

        let checkpoint = try StudentCheckpoint(folder: folder.path)
        XCTAssertEqual(checkpoint.runConfigPath.map { URL(fileURLWithPath: $0).standardized.path },
                       run.appendingPathComponent("config.toml").standardized.path)
        let start = try checkpoint.runStart(comparableWith: config)
        guard case .found(let record, _) = start else { return XCTFail("no start found: \(start)") }
        XCTAssertEqual(record.step, 0)
        let result = try evaluator.evaluate(checkpoint, start: start.record, configPath: checkpoint.runConfigPath!)
        XCTAssertEqual(result.step, 4)
        XCTAssertEqual(result.startStep, 0)
        XCTAssertEqual(result.domains.map(\.weight), [0.2, 0.3, 0.5])
        XCTAssertEqual(result.domains.map(\.studentPplBefore), before)  // matched by name, not position
        XCTAssertEqual(result.meanStudentPplBefore!, 800, accuracy: 1e-9)
        let lines = result.table.lines
        XCTAssertEqual(lines.count, 2 + names.count + 1)
        XCTAssertTrue(lines[0].contains("student ppl (step 0)") && lines[0].contains("student ppl (step 4)"), lines[0])
        XCTAssertTrue(lines[2].hasPrefix(names[0]) && lines[2].hasSuffix("0.200") && lines[2].contains("900.00") == false
                      && lines[2].contains("900"), lines[2])

        // A metrics file of another run (other config hash) is not used for "before".
        try FileManager.default.removeItem(at: run.appendingPathComponent("metrics.jsonl"))
        let other = try MetricsLog(path: run.appendingPathComponent("metrics.jsonl").path)
        try other.append(.run(RunRecord(name: "tiny", config: "", configHash: "00000000000000bb", worldSize: 1, teacherRanks: [0],
                                        studentRanks: [0], hostnames: [], versions: [:], startStep: 0)))
        guard case .otherRun = try checkpoint.runStart(comparableWith: config) else { return XCTFail("another run's metrics were used") }

        // The same run, but this evaluation uses fewer validation sequences: "before" is not comparable.
        try FileManager.default.removeItem(at: run.appendingPathComponent("metrics.jsonl"))
        let same = try MetricsLog(path: run.appendingPathComponent("metrics.jsonl").path)
        try same.append(.run(RunRecord(name: "tiny", config: try config.tomlText(), configHash: "00000000000000aa", worldSize: 1,
                                       teacherRanks: [0], studentRanks: [0], hostnames: [], versions: [:], startStep: 0)))
        try same.append(.ddk(record))
        guard case .found = try checkpoint.runStart(comparableWith: config) else { return XCTFail("the run's own start was not found") }
        guard case .otherValidation = try checkpoint.runStart(comparableWith: try tinyConfig(["data.validation_sequences=2"])) else {
            return XCTFail("a start on other validation sequences was used")
        }
    }

    func testRefusalsAreOneLineNamingTheProblem() throws {
        let config = try tinyConfig()
        let teacher = try ModelSource(path: config.teacher.model, role: .teacher)
        let evaluator = try CheckpointEvaluator(config: config, teacher: teacher)
        let identity = [ModelSource.tokenizerIdentityKey: try teacher.requiredTokenizerIdentity()]
        func refusal(_ body: () throws -> Void, mentions expected: [String], file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try body(), file: file, line: line) { error in
                let text = "\(error)"
                XCTAssertFalse(text.contains("\n"), "more than one line: \(text)", file: file, line: line)
                for word in expected { XCTAssertTrue(text.contains(word), "'\(word)' not in: \(text)", file: file, line: line) }
            }
        }
        let missing = scratch.appendingPathComponent("nowhere").path
        refusal({ _ = try StudentCheckpoint(folder: missing) }, mentions: [missing, "no such folder"])

        let noConfig = scratch.appendingPathComponent("no-config")
        try writeStudent(to: noConfig, config: config, teacher: teacher, metadata: identity)
        try FileManager.default.removeItem(at: noConfig.appendingPathComponent("config.json"))
        refusal({ _ = try StudentCheckpoint(folder: noConfig.path) }, mentions: [noConfig.path, "config.json"])

        let noWeights = scratch.appendingPathComponent("no-weights")
        try writeStudent(to: noWeights, config: config, teacher: teacher, metadata: identity)
        try FileManager.default.removeItem(at: noWeights.appendingPathComponent("model.safetensors"))
        refusal({ _ = try StudentCheckpoint(folder: noWeights.path) }, mentions: ["model.safetensors"])

        // config.json says one width, the tensors have another: the first bad tensor is named.
        let badTensor = scratch.appendingPathComponent("bad-tensor")
        let student = try StudentInitializer.architecture(config.student, teacher: teacher.config)
        var wider = student
        wider.hiddenSize = 48
        try writeStudent(to: badTensor, config: config, teacher: teacher, architecture: wider, metadata: identity)
        try Checkpoint.writeConfig(student, to: badTensor.appendingPathComponent("config.json"))
        refusal({ _ = try evaluator.evaluate(try StudentCheckpoint(folder: badTensor.path), configPath: "tiny.toml") },
                mentions: ["model.embed_tokens.weight", "shape"])

        let otherTokenizer = scratch.appendingPathComponent("other-tokenizer")
        try writeStudent(to: otherTokenizer, config: config, teacher: teacher,
                         metadata: [ModelSource.tokenizerIdentityKey: "0123456789abcdef"])
        refusal({ _ = try evaluator.evaluate(try StudentCheckpoint(folder: otherTokenizer.path), configPath: "tiny.toml") },
                mentions: ["0123456789abcdef", try teacher.requiredTokenizerIdentity(), "tokenizer"])

        let otherVocabulary = scratch.appendingPathComponent("other-vocabulary")
        var small = student
        small.vocabularySize = 300
        try writeStudent(to: otherVocabulary, config: config, teacher: teacher, architecture: small, metadata: identity)
        refusal({ _ = try evaluator.evaluate(try StudentCheckpoint(folder: otherVocabulary.path), configPath: "tiny.toml") },
                mentions: ["300", "\(teacher.architecture.vocabularySize)", "vocabulary"])

        let noShards = try tinyConfig(["data.shards=\"\(scratch.appendingPathComponent("no-shards").path)\""])
        refusal({ _ = try CheckpointEvaluator(config: noShards, teacher: teacher) }, mentions: ["no-shards"])

        XCTAssertTrue(EvaluationError.missingConfig(looked: "runs/x/config.toml").description.contains("--config"))
    }
}
