import LanguageModels
import TrainingCore
import XCTest

/// Which vocabularies a job has and what it refuses with two: the real SmolLM2 and Gemma 3
/// files (skips visibly without them).
final class JobVocabulariesTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let smol = root.appendingPathComponent("data/teacher/SmolLM2-135M-Instruct.Q4_1.gguf").path
    static let gemma = root.appendingPathComponent("data/teacher/gemma-3-270m-q4_k_m.gguf").path

    func vocabularies(objective: String, teacher: String, studentTokenizer: String?, initialization: String = "random")
        throws -> JobVocabularies {
        for path in [Self.smol, Self.gemma] where !FileManager.default.fileExists(atPath: path) {
            throw XCTSkip("SKIPPED: \(path) not found; run launch/fetch-teacher and launch/fetch-teacher --model gemma3")
        }
        var overrides = ["objective.name=\"\(objective)\"", "teacher.model=\"\(teacher)\"", "student.init=\"\(initialization)\"",
                         "student.teacher_layers=[0, 2]"]
        if let studentTokenizer { overrides.append("student.tokenizer=\"\(studentTokenizer)\"") }
        if objective != "kd" { overrides += ["objective.kd_weight=0", "objective.top_k=1"] }
        var text = DistillConfigTests.valid
        if objective != "kd" {
            text = text.replacingOccurrences(of: "kd_weight = 0.2\n", with: "").replacingOccurrences(of: "top_k = 64\n", with: "")
            overrides.removeAll { $0.hasPrefix("objective.kd_weight") || $0.hasPrefix("objective.top_k") }
        }
        let config = try DistillConfig.parse(text, source: "unit", overrides: overrides)
        return try JobVocabularies(config: config, teacher: try ModelSource(path: teacher, role: .teacher))
    }

    func testOneVocabularyIsPerTokenAndNeedsNoTeacherTokens() throws {
        let vocabularies = try vocabularies(objective: "kd", teacher: Self.smol, studentTokenizer: nil)
        XCTAssertTrue(vocabularies.isShared)
        XCTAssertEqual(vocabularies.perplexityUnit, .token)
        XCTAssertNil(vocabularies.crossTokenization)
        let same = try self.vocabularies(objective: "kd", teacher: Self.smol, studentTokenizer: Self.smol)
        XCTAssertTrue(same.isShared, "student.tokenizer naming the teacher's own tokenizer is one vocabulary")
    }

    func testTwoVocabulariesArePerByteForCeAndDskdCMA() throws {
        for objective in ["ce", "dskd-cma"] {
            let vocabularies = try vocabularies(objective: objective, teacher: Self.gemma, studentTokenizer: Self.smol)
            XCTAssertFalse(vocabularies.isShared)
            XCTAssertEqual(vocabularies.perplexityUnit, .byte)
            XCTAssertEqual(vocabularies.studentVocabularySize, 49_152)
            XCTAssertEqual(vocabularies.crossTokenization?.teacherTokenizer.vocabularySize, 262_144)
            XCTAssertEqual(vocabularies.crossTokenization?.teacherSequenceLength, 64 + 16 + 1, "TT defaults to T + T/4 + 1")
        }
    }

    func testKDAndDSKDAcrossVocabulariesAreRefusedNamingDskdCMA() throws {
        for objective in ["kd", "dskd"] {
            XCTAssertThrowsError(try vocabularies(objective: objective, teacher: Self.gemma, studentTokenizer: Self.smol)) {
                let line = "\($0)"
                XCTAssertTrue(line.contains("dskd-cma") && line.contains("49152") && line.contains("262144"), line)
                XCTAssertFalse(line.contains("\n"), "one line")
            }
        }
        XCTAssertThrowsError(try vocabularies(objective: "ce", teacher: Self.gemma, studentTokenizer: Self.smol,
                                              initialization: "teacher-layers")) {
            XCTAssertTrue("\($0)".contains("teacher-layers"), "\($0)")
        }
    }
}
