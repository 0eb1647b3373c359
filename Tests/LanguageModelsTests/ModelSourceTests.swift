import Engine
import Foundation
import GGUF
import LanguageModels
import XCTest

/// `ModelSource` opens a GGUF file or a checkpoint directory to the same model.
final class ModelSourceTests: XCTestCase {
    func testCheckpointOfAGGUFModelScoresIdentically() throws {
        let ggufPath = try TinyLlamaGGUF().write()
        let fromGGUF = try ModelSource(path: ggufPath)
        let original = try fromGGUF.load(1, 8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-checkpoint-\(UUID().uuidString)")
        try Checkpoint.saveModel(parameters: original.parameters, layout: original.layout, to: directory)

        let fromCheckpoint = try ModelSource(path: directory.path)
        guard case .checkpoint(let weights) = fromCheckpoint.format else { return XCTFail("\(fromCheckpoint.format)") }
        XCTAssertEqual(fromCheckpoint.weightFiles, [weights])
        XCTAssertEqual(fromGGUF.weightFiles, [ggufPath])
        XCTAssertNil(fromCheckpoint.tokenizerIdentity)
        XCTAssertThrowsError(try fromCheckpoint.requiredTokenizerIdentity()) {
            XCTAssertTrue(String(describing: $0).hasPrefix("model \(weights): has no tokenizer_identity in its metadata"), "\($0)")
        }
        XCTAssertEqual(fromCheckpoint.architecture, fromGGUF.architecture)
        let reloaded = try fromCheckpoint.load(1, 8)
        XCTAssertEqual(reloaded.parameters.toArray(), original.parameters.toArray())
        let tokens: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6]
        XCTAssertEqual(try reloaded.perplexity(of: tokens), try original.perplexity(of: tokens))
    }

    func testCheckpointNeedsATokenizerOfExactlyItsVocabulary() throws {
        // A checkpoint of 40 vocabulary rows: the tiny llama without a tokenizer has its rows as vocabulary.
        let model = try ModelSource(path: try TinyLlamaGGUF(vocabularyRows: 40).write()).load(1, 8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-checkpoint-\(UUID().uuidString)")
        try Checkpoint.saveModel(parameters: model.parameters, layout: model.layout, to: directory)
        let checkpoint = try ModelSource(path: directory.path, role: .teacher)
        XCTAssertNil(checkpoint.vocabularyAlignment)
        func tokenizerFile(_ tokens: Int) throws -> String {
            try PaddedVocabularyTests.tinyLlama(rows: tokens, tokens: tokens).write()
        }
        let exact = try tokenizerFile(40)
        XCTAssertEqual(try checkpoint.tokenizer(checkpointTokenizer: exact).vocabularySize, 40)
        for tokens in [32, 48] {
            let other = try tokenizerFile(tokens)
            XCTAssertThrowsError(try checkpoint.tokenizer(checkpointTokenizer: other)) {
                XCTAssertEqual(String(describing: $0), "teacher \(directory.path): has 40 vocabulary rows (vocab_size in config.json) "
                               + "but the tokenizer \(other) has \(tokens) tokens; give the tokenizer the checkpoint was written "
                               + "with, or write the checkpoint again for this one (`ddk init-model --tokenizer-model \(other)`, "
                               + "`ddk init-student`)")
            }
        }
    }

    func testMissingPathIsReported() {
        XCTAssertThrowsError(try ModelSource(path: "/nonexistent/model.gguf", role: .teacher)) {
            XCTAssertEqual(String(describing: $0), "teacher /nonexistent/model.gguf: does not exist "
                           + "(fetch it with launch/fetch-teacher, or make a tiny one with `ddk init-model`)")
        }
    }
}
