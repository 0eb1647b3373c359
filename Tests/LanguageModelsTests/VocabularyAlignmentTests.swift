import LanguageModels
import XCTest

/// The decision alone: exact, trimmed, or refused in one line naming the file and both counts.
final class VocabularyAlignmentTests: XCTestCase {
    func testEqualCountsAreExactAndMoreRowsAreTrimmedToTheTokens() throws {
        XCTAssertEqual(try VocabularyAlignment(path: "m.gguf", embeddingRows: 32, tokens: 32), .exact)
        XCTAssertEqual(try VocabularyAlignment(path: "m.gguf", embeddingRows: 32, headRows: 32, tokens: 32), .exact)
        XCTAssertEqual(try VocabularyAlignment(path: "m.gguf", embeddingRows: 40, tokens: 32), .trimmed(from: 40, to: 32))
        XCTAssertEqual(try VocabularyAlignment(path: "m.gguf", embeddingRows: 40, headRows: 40, tokens: 32),
                       .trimmed(from: 40, to: 32))
    }

    func testMoreTokensThanRowsIsRefusedInOneLine() {
        XCTAssertThrowsError(try VocabularyAlignment(path: "m.gguf", embeddingRows: 32, tokens: 40)) {
            XCTAssertEqual(String(describing: $0),
                           "m.gguf: the tokenizer has 40 tokens but the model has 32 vocabulary rows; ids 32..<40 cannot be embedded")
        }
    }

    func testEmbeddingAndHeadOfDifferentRowsAreRefusedInOneLine() {
        XCTAssertThrowsError(try VocabularyAlignment(path: "m.gguf", embeddingRows: 40, headRows: 36, tokens: 32)) {
            XCTAssertEqual(String(describing: $0),
                           "m.gguf: the embedding has 40 vocabulary rows but the output head has 36; they must agree")
        }
    }
}
