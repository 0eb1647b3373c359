import GGUF
import Tokenizer
import XCTest

/// Ids for fixed strings, worked out from the vocabulary and the merges rather than copied
/// from the encoder's output. "Ġ" is the byte-level alphabet's space, "Ċ" its newline.
final class VocabularyExpectationTests: XCTestCase {
    func testSpecialTokensAndSizes() throws {
        let tokenizer = try TeacherTokenizer.load()
        XCTAssertEqual(tokenizer.vocabularySize, 49152)
        XCTAssertEqual(tokenizer.bosTokenID, 1)
        XCTAssertEqual(tokenizer.eosTokenID, 2)
        XCTAssertEqual(tokenizer.paddingTokenID, 2)
        XCTAssertFalse(tokenizer.addsBOSToken)
        XCTAssertEqual(tokenizer.tokens[1], "<|im_start|>")
        XCTAssertEqual(tokenizer.decode([1, 2]), "<|im_start|><|im_end|>")
        XCTAssertEqual(tokenizer.identity.count, 16)
        XCTAssertTrue(tokenizer.identity.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        // Special tokens are never produced from text: "<|endoftext|>" is ordinary characters.
        let ids = try tokenizer.encode("<|endoftext|>")
        XCTAssertFalse(ids.contains(0))
        XCTAssertGreaterThan(ids.count, 1)
    }

    func testTheIsOneTokenThroughThreeMerges() throws {
        let tokenizer = try TeacherTokenizer.load()
        // " the" = bytes Ġ t h e. Merge 0 is "Ġ t", merge 3 "h e", merge 8 "Ġt he"; the pair
        // (Ġt, h) has no lower rank than 3, so BPE goes Ġ t h e → Ġt h e → Ġt he → Ġthe,
        // and merge r makes token 252 + r.
        let merges = try mergesOfTeacher()
        XCTAssertEqual(merges[0], "Ġ t")
        XCTAssertEqual(merges[3], "h e")
        XCTAssertEqual(merges[8], "Ġt he")
        XCTAssertEqual(tokenizer.tokens[252 + 8], "Ġthe")
        XCTAssertEqual(try tokenizer.encode(" the"), [260])
        XCTAssertEqual(try tokenizer.encode(" the the the"), [260, 260, 260])
    }

    func testDigitsAreSplitOneByOne() throws {
        let tokenizer = try TeacherTokenizer.load()
        let digits = (0...9).map { tokenizer.id(of: String($0)) }
        XCTAssertEqual(try tokenizer.encode("0123456789"), digits)
        XCTAssertEqual(try tokenizer.encode("2024"), [digits[2], digits[0], digits[2], digits[4]])
        // A space before a digit stays a token of its own ("Ġ"), it never joins the digit.
        XCTAssertEqual(try tokenizer.encode("a 1"), [tokenizer.id(of: "a"), tokenizer.id(of: "Ġ"), digits[1]])
        // A whitespace run before a digit stays whole (the digit ends the piece, so `\s+(?!\S)`
        // takes the run): three spaces are "ĠĠĠ" (itself made by the merges "Ġ Ġ", "ĠĠ Ġ").
        XCTAssertEqual(try tokenizer.encode("x   7"), [tokenizer.id(of: "x"), tokenizer.id(of: "ĠĠĠ"), digits[7]])
    }

    func testWhitespaceRunBeforeAWordLeavesItsLastSpaceToTheWord() throws {
        let tokenizer = try TeacherTokenizer.load()
        // "a   b": \s+(?!\S) takes two spaces, the third prefixes the word: a, ĠĠ, Ġb.
        XCTAssertEqual(try tokenizer.encode("a   b"),
                       [tokenizer.id(of: "a"), tokenizer.id(of: "ĠĠ"), tokenizer.id(of: "Ġb")])
        // A newline before a word is alone (\s+ on one character), then the word.
        XCTAssertEqual(try tokenizer.encode("a\nb"), [tokenizer.id(of: "a"), tokenizer.id(of: "Ċ"), tokenizer.id(of: "b")])
        // Trailing whitespace stays one run.
        XCTAssertEqual(try tokenizer.encode("a\n\n"), [tokenizer.id(of: "a"), tokenizer.id(of: "ĊĊ")])
    }

    func testContractionsAreSeparatePieces() throws {
        let tokenizer = try TeacherTokenizer.load()
        XCTAssertEqual(try tokenizer.encode("don't"), [tokenizer.id(of: "don"), tokenizer.id(of: "'t")])
        XCTAssertEqual(try tokenizer.encode("it's"), [tokenizer.id(of: "it"), tokenizer.id(of: "'s")])
        XCTAssertEqual(try tokenizer.encode("we're"), [tokenizer.id(of: "we"), tokenizer.id(of: "'re")])
    }

    func testNonASCIIWordUsesByteLevelCharacters() throws {
        let tokenizer = try TeacherTokenizer.load()
        // "é" is the bytes C3 A9, which the alphabet shows as "Ã" and "©".
        let ids = try tokenizer.encode("é")
        XCTAssertEqual(ids.map { tokenizer.tokens[Int($0)] }.joined(), "Ã©")
        XCTAssertEqual(tokenizer.decode(ids), "é")
    }

    private func mergesOfTeacher() throws -> [String] {
        try GGUFFile(path: TeacherTokenizer.path).stringArray("tokenizer.ggml.merges")
    }
}
