import Engine
import Foundation
import GGUF
import LanguageModels
import Tokenizer
import XCTest

/// The real teacher loaded once for all tests; tests skip visibly when the GGUF is absent.
enum TeacherFixture {
    static var path: String {
        if let path = ProcessInfo.processInfo.environment["DDK_TEACHER_GGUF"] { return path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("data/teacher/SmolLM2-135M-Instruct.Q4_1.gguf").path
    }

    struct Loaded {
        let file: GGUFFile
        let tokenizer: Tokenizer
        let inference: LlamaInference
    }

    private static let loaded: Result<Loaded, Error>? = {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return Result {
            BLASThreads.set(1)
            let file = try GGUFFile(path: path)
            return Loaded(file: file, tokenizer: try Tokenizer(gguf: file),
                          inference: try LlamaInference(gguf: file, maxBatchSize: 1, maxSequenceLength: 512))
        }
    }()

    /// The teacher, or an XCTSkip naming the missing file.
    static func load() throws -> Loaded {
        guard let loaded else {
            throw XCTSkip("teacher GGUF not found at \(path); run launch/fetch-teacher (or set DDK_TEACHER_GGUF)")
        }
        return try loaded.get()
    }
}
