import Engine
import Foundation
import GGUF
import LanguageModels
import XCTest

/// GGUF files whose token_embd (and output) have more rows than the tokenizer has tokens: the
/// model is built at the tokenizer's size from the first rows, and its logits are those of
/// the same model written without the padding, bit for bit. A tokenizer with more tokens
/// than rows is refused in one line.
final class PaddedVocabularyTests: XCTestCase {
    static let ids: [Int32] = [0, 31, 7, 19, 3, 28, 12]

    /// The tiny llama with `rows` vocabulary rows (also in `output.weight` when `untied`), a
    /// tokenizer of `tokens` tokens and `llama.vocab_size` = `rows`, as converters write it.
    static func tinyLlama(rows: Int, tokens: Int, untied: Bool = false, hiddenSize: Int = 8,
                          type: TinyQuantization = .f32) -> TinyLlamaGGUF {
        var tiny = TinyLlamaGGUF(hiddenSize: hiddenSize, vocabularyRows: rows)
        tiny.tokens = TinyLlamaGGUF.tokenStrings(tokens)
        if untied { tiny.tensors.append(("output.weight", [hiddenSize, rows])) }
        tiny.types = ["token_embd.weight": type, "output.weight": type]
        return tiny
    }

    /// The logits (rows × V, row-major) of `ids` as one sequence.
    static func logits(_ model: any LanguageModelInference, _ ids: [Int32] = ids) throws -> [Float] {
        try model.forward(tokens: ids, batchSize: 1, sequenceLength: ids.count)
        var all: [Float] = []
        try model.logits { _, rows, logits in all += UnsafeBufferPointer(start: logits, count: rows * model.vocabularySize) }
        return all
    }

    /// Opens the padded and the unpadded file and checks: vocabulary 32 and `.trimmed(from: 40,
    /// to: 32)` against `.exact`, the first rows of each vocabulary tensor in place, and the
    /// same logits bit for bit.
    func checkPaddedMatchesUnpadded(_ padded: String, _ unpadded: String, vocabularyTensors: [(gguf: String, engine: String)],
                                    file: StaticString = #filePath, line: UInt = #line) throws {
        let paddedSource = try ModelSource(path: padded), unpaddedSource = try ModelSource(path: unpadded)
        XCTAssertEqual(paddedSource.architecture.vocabularySize, 32, file: file, line: line)
        XCTAssertEqual(paddedSource.vocabularyAlignment, .trimmed(from: 40, to: 32), file: file, line: line)
        XCTAssertEqual(unpaddedSource.vocabularyAlignment, .exact, file: file, line: line)
        XCTAssertEqual(try paddedSource.tokenizer(checkpointTokenizer: "unused").vocabularySize, 32, file: file, line: line)
        let paddedModel = try paddedSource.load(1, 8), unpaddedModel = try unpaddedSource.load(1, 8)
        let paddedFile = try GGUFFile(path: padded)
        for (ggufName, engineName) in vocabularyTensors {
            let firstRows = Array(try paddedFile.dequantize(ggufName).prefix(32 * paddedModel.config.hiddenSize))
            XCTAssertEqual(Array(try paddedModel.parameter(named: engineName)), firstRows, engineName, file: file, line: line)
        }
        let paddedLogits = try Self.logits(paddedModel), unpaddedLogits = try Self.logits(unpaddedModel)
        XCTAssertEqual(paddedLogits.count, Self.ids.count * 32, file: file, line: line)
        XCTAssertTrue(paddedLogits.allSatisfy(\.isFinite), file: file, line: line)
        XCTAssertEqual(paddedLogits.map(\.bitPattern), unpaddedLogits.map(\.bitPattern), file: file, line: line)
    }

    func testPaddedTiedEmbeddingIsTrimmedToTheTokenizer() throws {
        try checkPaddedMatchesUnpadded(try Self.tinyLlama(rows: 40, tokens: 32).write(),
                                       try Self.tinyLlama(rows: 32, tokens: 32).write(),
                                       vocabularyTensors: [("token_embd.weight", "model.embed_tokens.weight")])
    }

    func testPaddedUntiedHeadIsTrimmedToTheTokenizer() throws {
        try checkPaddedMatchesUnpadded(try Self.tinyLlama(rows: 40, tokens: 32, untied: true).write(),
                                       try Self.tinyLlama(rows: 32, tokens: 32, untied: true).write(),
                                       vocabularyTensors: [("token_embd.weight", "model.embed_tokens.weight"),
                                                           ("output.weight", "lm_head.weight")])
    }

    func testQuantizedPaddedRowsAreTrimmed() throws {
        for type in [TinyQuantization.q8_0, .q4_0] {
            let padded = try Self.tinyLlama(rows: 40, tokens: 32, untied: true, hiddenSize: 32, type: type).write()
            let unpadded = try Self.tinyLlama(rows: 32, tokens: 32, untied: true, hiddenSize: 32, type: type).write()
            XCTAssertEqual(try GGUFFile(path: padded).tensor(named: "token_embd.weight").type.rawValue, type.rawValue)
            try checkPaddedMatchesUnpadded(padded, unpadded, vocabularyTensors: [("token_embd.weight", "model.embed_tokens.weight"),
                                                                                 ("output.weight", "lm_head.weight")])
        }
    }

    func testMoreTokensThanRowsIsRefusedInOneLine() throws {
        let path = try Self.tinyLlama(rows: 32, tokens: 40).write()
        let expected = "\(path): the tokenizer has 40 tokens but the model has 32 vocabulary rows; ids 32..<40 cannot be embedded"
        XCTAssertThrowsError(try ModelSource(path: path)) { XCTAssertEqual(String(describing: $0), expected) }
        XCTAssertThrowsError(try LlamaInference(gguf: try GGUFFile(path: path), maxBatchSize: 1, maxSequenceLength: 4)) {
            XCTAssertEqual(String(describing: $0), expected)
        }
    }

    func testEmbeddingAndHeadOfDifferentRowsAreRefused() throws {
        var tiny = Self.tinyLlama(rows: 40, tokens: 32)
        tiny.tensors.append(("output.weight", [8, 36]))
        let path = try tiny.write()
        XCTAssertThrowsError(try ModelSource(path: path)) {
            XCTAssertEqual(String(describing: $0), "\(path): the embedding has 40 vocabulary rows but the output head has 36; they must agree")
        }
    }

    func testVocabSizeKeyMustNameTheRowsOrTheTokens() throws {
        var tokenCount = Self.tinyLlama(rows: 40, tokens: 32)
        tokenCount.vocabularySizeKey = 32  // a converter that writes the token count
        XCTAssertEqual(try LlamaConfig(gguf: try GGUFFile(path: try tokenCount.write())).vocabularySize, 32)
        var neither = Self.tinyLlama(rows: 40, tokens: 32)
        neither.vocabularySizeKey = 48
        let path = try neither.write()
        XCTAssertThrowsError(try LlamaConfig(gguf: try GGUFFile(path: path))) {
            XCTAssertEqual(String(describing: $0), "\(path): llama.vocab_size: is 48 but token_embd.weight has 40 rows and the tokenizer 32 tokens")
        }
    }

    func testPaddedGemma3EmbeddingIsTrimmedToTheTokenizer() throws {
        let padded = try ModelSource(path: try TinyGemma3GGUF(vocabularyRows: 40, tokens: 32).write())
        let unpadded = try ModelSource(path: try TinyGemma3GGUF(vocabularyRows: 32, tokens: 32).write())
        XCTAssertEqual(padded.architecture.vocabularySize, 32)
        XCTAssertEqual(padded.vocabularyAlignment, .trimmed(from: 40, to: 32))
        XCTAssertEqual(unpadded.vocabularyAlignment, .exact)
        let paddedModel = try padded.loadInference(1, 8), unpaddedModel = try unpadded.loadInference(1, 8)
        XCTAssertTrue(paddedModel is Gemma3Inference)
        let paddedLogits = try Self.logits(paddedModel), unpaddedLogits = try Self.logits(unpaddedModel)
        XCTAssertEqual(paddedLogits.count, Self.ids.count * 32)
        XCTAssertTrue(paddedLogits.allSatisfy(\.isFinite))
        XCTAssertEqual(paddedLogits.map(\.bitPattern), unpaddedLogits.map(\.bitPattern))
        XCTAssertThrowsError(try ModelSource(path: try TinyGemma3GGUF(vocabularyRows: 32, tokens: 40).write())) {
            XCTAssertTrue(String(describing: $0).hasSuffix(": the tokenizer has 40 tokens but the model has 32 vocabulary rows; "
                                                           + "ids 32..<40 cannot be embedded"), "\($0)")
        }
    }
}
