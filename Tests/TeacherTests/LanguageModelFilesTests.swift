import Engine
import Foundation
import GGUF
import Teacher
import XCTest

/// `LanguageModelFiles` opens a GGUF file or a checkpoint directory to the same model.
final class LanguageModelFilesTests: XCTestCase {
    func testCheckpointOfAGGUFModelScoresIdentically() throws {
        let ggufPath = try TinyLlamaGGUF().write()
        let fromGGUF = try LanguageModelFiles(path: ggufPath)
        let original = try fromGGUF.makeInference(maxBatchSize: 1, maxSequenceLength: 8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-checkpoint-\(UUID().uuidString)")
        try Checkpoint.saveModel(parameters: original.parameters, layout: original.layout, to: directory)

        let fromCheckpoint = try LanguageModelFiles(path: directory.path)
        XCTAssertNil(fromCheckpoint.gguf)
        XCTAssertEqual(fromCheckpoint.config, fromGGUF.config)
        let reloaded = try fromCheckpoint.makeInference(maxBatchSize: 1, maxSequenceLength: 8)
        XCTAssertEqual(reloaded.parameters.toArray(), original.parameters.toArray())
        let tokens: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6]
        XCTAssertEqual(try reloaded.perplexity(of: tokens), try original.perplexity(of: tokens))
    }

    func testMissingPathIsReported() {
        XCTAssertThrowsError(try LanguageModelFiles(path: "/nonexistent/model.gguf")) {
            XCTAssertEqual(String(describing: $0), "/nonexistent/model.gguf: cannot open GGUF file: no such file or directory")
        }
    }
}
