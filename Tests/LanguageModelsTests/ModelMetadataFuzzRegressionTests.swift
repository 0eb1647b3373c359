import Foundation
import GGUF
import LanguageModels
import Tokenizer
import XCTest

/// GGUF metadata the fuzz target `gguf` (Tests/Fuzz) made the model readers trap on, or give
/// an error that does not say which file is at fault.
final class ModelMetadataFuzzRegressionTests: XCTestCase {
    private static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fuzz/regressions/gguf").standardized

    /// The layer types were made for `gemma3.block_count` layers before the count was checked:
    /// -1 trapped on a negative range, 2^40 on an allocation of 8 TB.
    func testAGemma3BlockCountBeyondTheFileIsRefused() throws {
        for (name, count) in [("gemma3-negative-block-count", -1), ("gemma3-huge-block-count", 1 << 40)] {
            let path = Self.regressions.appendingPathComponent(name).path
            XCTAssertThrowsError(try ModelArchitecture(gguf: try GGUFFile(path: path))) {
                XCTAssertEqual("\($0)", "\(path): gemma3.block_count: is \(count); the file holds 1 tensors")
            }
        }
    }

    func testAnInvalidVocabularyNamesTheFile() throws {
        var writer = TinyGGUFWriter()
        writer.metadata = [("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.tokens", .strings(["a", "b"])),
                           ("tokenizer.ggml.merges", .strings(["a c"]))]
        let path = try writer.write(prefix: "bad-merge")
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try GGUFTokenizer.load(ggufAt: path)) {
            XCTAssertEqual("\($0)", "\(path): tokenizer: merge 0 'a c' is invalid: 'c' is not in the vocabulary")
        }
    }
}
