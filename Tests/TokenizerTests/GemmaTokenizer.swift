import Foundation
import Tokenizer
import XCTest

/// Gemma 3's tokenizer (SentencePiece BPE), loaded once for all tests; tests skip visibly
/// when the GGUF file has not been fetched.
enum GemmaTokenizer {
    static var path: String {
        if let path = ProcessInfo.processInfo.environment["DDK_GEMMA_GGUF"] { return path }
        return TeacherTokenizer.repositoryRoot.appendingPathComponent("data/teacher/gemma-3-270m-q4_k_m.gguf").path
    }

    private static let loaded: Result<SentencePieceTokenizer, Error>? = {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return Result { try SentencePieceTokenizer(ggufAt: path) }
    }()

    /// The tokenizer, or an XCTSkip naming the missing file.
    static func load() throws -> SentencePieceTokenizer {
        guard let loaded else {
            throw XCTSkip("Gemma 3 GGUF not found at \(path); fetch gemma-3-270m-q4_k_m.gguf there (or set DDK_GEMMA_GGUF)")
        }
        return try loaded.get()
    }
}
