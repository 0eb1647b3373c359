import GGUF
import Tokenizer
import XCTest

/// Gemma 3's tokenizer on fixed strings (the ids agree with Hugging Face's conversion of the
/// same file; the token texts are checked alongside).
final class SentencePieceVocabularyTests: XCTestCase {
    func testSpecialTokensAndFlags() throws {
        let tokenizer = try GemmaTokenizer.load()
        XCTAssertEqual(tokenizer.vocabularySize, 262_144)
        XCTAssertEqual(tokenizer.bosTokenID, 2)
        XCTAssertEqual(tokenizer.eosTokenID, 1)
        XCTAssertEqual(tokenizer.paddingTokenID, 0)
        XCTAssertEqual(tokenizer.unknownTokenID, 3)
        XCTAssertTrue(tokenizer.addsBOSToken)
        XCTAssertFalse(tokenizer.addsSpacePrefix)
        XCTAssertEqual(tokenizer.tokens[105], "<start_of_turn>")
        XCTAssertEqual(tokenizer.tokenTypes[105], .control)
        XCTAssertEqual(tokenizer.tokenTypes[107], .userDefined)  // "\n"
        XCTAssertEqual(tokenizer.tokenTypes[238], .byte)         // "<0x00>"
        XCTAssertEqual(tokenizer.identity.count, 16)
    }

    func testWordsSpacesAndBOS() throws {
        let tokenizer = try GemmaTokenizer.load()
        XCTAssertEqual(tokenizer.tokens[9259], "Hello")
        XCTAssertEqual(tokenizer.tokens[1902], "▁world")
        XCTAssertEqual(tokenizer.encode("Hello world"), [9259, 1902])
        XCTAssertEqual(tokenizer.encode("Hello world", addingBOS: true), [2, 9259, 1902])
        XCTAssertEqual(tokenizer.encode(""), [])
        XCTAssertEqual(tokenizer.encode("", addingBOS: true), [2])
        // No space prefix: a leading space is its own "▁" only when nothing merges with it.
        XCTAssertEqual(tokenizer.tokens[506], "▁the")
        XCTAssertEqual(tokenizer.encode(" the"), [506])
    }

    func testUserDefinedTokensAreMatchedWholeInRawText() throws {
        let tokenizer = try GemmaTokenizer.load()
        // Runs of 2...31 spaces are user-defined tokens 138...167 stored as real spaces; a run
        // of 33 is the longest (31) then 2, and the word after it gets no "▁".
        XCTAssertEqual(tokenizer.tokens[138], "  ")
        XCTAssertEqual(tokenizer.tokens[167], String(repeating: " ", count: 31))
        XCTAssertEqual([236746, 236763, 1437, 108].map { tokenizer.tokens[$0] }, ["a", "b", "the", "\n\n"])
        XCTAssertEqual(tokenizer.encode("a  b"), [236746, 138, 236763])
        XCTAssertEqual(tokenizer.encode("a" + String(repeating: " ", count: 33) + "the"), [236746, 167, 138, 1437])
        XCTAssertEqual(tokenizer.encode("x\n\ny"), [236781, 108, 236762])
        XCTAssertEqual(tokenizer.encode("<b>bold</b>"), [200, 15640, 209])
        // Control tokens in the text stay text.
        XCTAssertFalse(tokenizer.encode("<start_of_turn>user").contains(105))
        XCTAssertFalse(tokenizer.encode("<eos>").contains(1))
    }

    func testBridgeTokenAcrossASpace() throws {
        let tokenizer = try GemmaTokenizer.load()
        XCTAssertEqual(tokenizer.tokens[107_068], ">▁</")
        XCTAssertEqual(tokenizer.encode("<p> </p>"), [236820, 236758, 107_068, 236758, 236813])
    }

    func testCharactersWithoutATokenFallBackToBytes() throws {
        let tokenizer = try GemmaTokenizer.load()
        // U+10FFFD (private use) has no token: its four UTF-8 bytes F4 8F BF BD become <0xF4>...
        let ids = tokenizer.encode("\u{10FFFD}")
        XCTAssertEqual(ids, [0xF4, 0x8F, 0xBF, 0xBD].map { 238 + $0 })
        XCTAssertEqual(tokenizer.decode(ids), "\u{10FFFD}")
    }

    func testDecodeGivesBackTheText() throws {
        let tokenizer = try GemmaTokenizer.load()
        // A literal "▁" is read as a space, so it cannot come back.
        for text in ReferenceTexts.edgeCases + ReferenceTexts.random(count: 100, seed: 7) where !text.contains("\u{2581}") {
            XCTAssertEqual(Array(tokenizer.decode(tokenizer.encode(text)).utf8), Array(text.utf8), text.debugDescription)
        }
    }

    func testGGUFTokenizerPicksTheImplementationFromTheModel() throws {
        _ = try GemmaTokenizer.load()
        let tokenizer = try GGUFTokenizer.load(ggufAt: GemmaTokenizer.path)
        XCTAssertTrue(tokenizer is SentencePieceTokenizer)
        XCTAssertEqual(try tokenizer.encode("Hello world", addingBOS: true), [2, 9259, 1902])
        if FileManager.default.fileExists(atPath: TeacherTokenizer.path) {
            XCTAssertTrue(try GGUFTokenizer.load(ggufAt: TeacherTokenizer.path) is Tokenizer)
        }
        let refusal = TokenizerError.unsupportedModel(path: "m.gguf", model: "t5",
                                                      supported: ["byte-level BPE ('gpt2')", "SentencePiece BPE ('llama')"])
        XCTAssertEqual(refusal.description,
                       "m.gguf: tokenizer.ggml.model is 't5'; only byte-level BPE ('gpt2') and SentencePiece BPE ('llama') are supported")
    }
}
