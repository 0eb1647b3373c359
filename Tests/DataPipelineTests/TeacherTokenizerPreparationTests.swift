import DataPipeline
import Foundation
import Tokenizer
import XCTest

// The project's tokenizer is a TextEncoder (ddk declares the same conformance).
extension Tokenizer: TextEncoder {}

/// `ddk prepare`'s path with the real SmolLM2 tokenizer: shards decode back to the
/// documents, and text the vocabulary cannot encode is reported by file.
/// Skips visibly when the teacher GGUF has not been fetched.
final class TeacherTokenizerPreparationTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func loadTokenizer() throws -> Tokenizer {
        let path = ProcessInfo.processInfo.environment["DDK_TEACHER_GGUF"]
            ?? Self.repositoryRoot.appendingPathComponent("data/teacher/SmolLM2-135M-Instruct.Q4_1.gguf").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("teacher GGUF not found at \(path); run launch/fetch-teacher (or set DDK_TEACHER_GGUF)")
        }
        return try Tokenizer(ggufAt: path)
    }

    func testShardsDecodeBackToTheDocuments() throws {
        let tokenizer = try loadTokenizer()
        let folder = try temporaryFolder(self)
        let texts = (0..<30).map { i in
            "Document \(i): def f_\(i)(x):\n    return x * \(i) + 0.5  # café, naïve, 東京\n\nThe capital of France is Paris. \(String(repeating: "Lorem ipsum dolor sit amet. ", count: 10))"
        }
        for (i, text) in texts.enumerated() { try write(text, to: "\(folder)/corpus/mixed/\(i).txt") }
        let manifest = DomainManifest(path: "test", domains: [.init(name: "mixed", paths: ["\(folder)/corpus/mixed"])])
        let summary = try DatasetPreparer.prepare(manifest: manifest, encoder: tokenizer,
                                                  options: .init(outputDirectory: "\(folder)/out", sequenceLength: 32, validationSequences: 4))
        XCTAssertEqual(summary.tokenizer.vocabularySize, 49152)
        XCTAssertEqual(summary.tokenizer.identity, tokenizer.identity)
        let eos = try XCTUnwrap(tokenizer.eosTokenID)
        var decoded: [String] = []
        for split in [summary.domains[0].train, summary.domains[0].validation] {
            let shard = try Shard(path: "\(folder)/out/\(split.path)", expectedIdentity: tokenizer.identity, expectedVocabularySize: 49152)
            XCTAssertEqual(shard.header.tokenWidth, 2)
            decoded += shard.tokens(0..<shard.tokenCount).split(separator: eos).map { tokenizer.decode(Array($0)) }
        }
        XCTAssertEqual(decoded.sorted(), texts.sorted())
    }

    func testUnencodableControlByteNamesTheFile() throws {
        let tokenizer = try loadTokenizer()
        let folder = try temporaryFolder(self)
        for i in 0..<5 { try write(String(repeating: "plain text \(i) ", count: 50), to: "\(folder)/c/\(i).txt") }
        try write("ok\u{1D}not ok", to: "\(folder)/c/group-separator.txt")
        let manifest = DomainManifest(path: "test", domains: [.init(name: "controls", paths: ["\(folder)/c"])])
        assertThrows(try DatasetPreparer.prepare(manifest: manifest, encoder: tokenizer,
                                                 options: .init(outputDirectory: "\(folder)/out", sequenceLength: 8, validationSequences: 2)),
                     containing: ["domain 'controls'", "group-separator.txt", "cannot tokenize"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder)/out"))
    }
}
