import Foundation
import Tokenizer
import XCTest

/// The teacher's tokenizer, loaded once for all tests; tests skip visibly when the GGUF
/// file has not been fetched.
enum TeacherTokenizer {
    static var path: String {
        if let path = ProcessInfo.processInfo.environment["DDK_TEACHER_GGUF"] { return path }
        return repositoryRoot.appendingPathComponent("data/teacher/SmolLM2-135M-Instruct.Q4_1.gguf").path
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    private static let loaded: Result<Tokenizer, Error>? = {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return Result { try Tokenizer(ggufAt: path) }
    }()

    /// The tokenizer, or an XCTSkip naming the missing file.
    static func load() throws -> Tokenizer {
        guard let loaded else {
            throw XCTSkip("teacher GGUF not found at \(path); run launch/fetch-teacher (or set DDK_TEACHER_GGUF)")
        }
        return try loaded.get()
    }
}

extension Tokenizer {
    /// The id of a token string (GPT-2 alphabet), failing the test when it is absent.
    func id(of token: String, file: StaticString = #filePath, line: UInt = #line) -> Int32 {
        guard let index = tokens.firstIndex(of: token) else {
            XCTFail("'\(token)' is not in the vocabulary", file: file, line: line)
            return -1
        }
        return Int32(index)
    }
}
