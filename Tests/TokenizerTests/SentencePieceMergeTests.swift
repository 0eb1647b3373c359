import Tokenizer
import XCTest

/// SentencePiece BPE on small made-up vocabularies (no model file needed).
final class SentencePieceMergeTests: XCTestCase {
    /// A vocabulary of (text, score, type); "<unk>" first.
    private func tokenizer(_ entries: [(String, Float, TokenType)], addsSpacePrefix: Bool = false) throws -> SentencePieceTokenizer {
        let all = [("<unk>", 0, .unknown), ("<s>", 0, .control)] + entries
        return try SentencePieceTokenizer(tokens: all.map(\.0), scores: all.map(\.1), tokenTypes: all.map(\.2),
                                          bosTokenID: 1, eosTokenID: nil, paddingTokenID: nil, unknownTokenID: 0,
                                          addsBOSToken: true, addsSpacePrefix: addsSpacePrefix)
    }

    private func texts(_ tokenizer: SentencePieceTokenizer, _ text: String) -> [String] {
        tokenizer.encode(text).map { tokenizer.tokens[Int($0)] }
    }

    func testBestScoreMergesFirstAndEqualScoresGoLeftFirst() throws {
        // "bc" has a lower id than "ab" but the same score: the leftmost pair wins the tie.
        let tied = try tokenizer([("a", -1, .normal), ("b", -1, .normal), ("c", -1, .normal),
                                  ("bc", -5, .normal), ("ab", -5, .normal)])
        XCTAssertEqual(texts(tied, "abc"), ["ab", "c"])
        let ordered = try tokenizer([("a", -1, .normal), ("b", -1, .normal), ("c", -1, .normal),
                                     ("bc", -4, .normal), ("ab", -5, .normal)])
        XCTAssertEqual(texts(ordered, "abc"), ["a", "bc"])
        // Merging goes by text, not by a list of pairs: "abc" forms from a + bc as well.
        let byText = try tokenizer([("a", -1, .normal), ("b", -1, .normal), ("c", -1, .normal),
                                    ("bc", -4, .normal), ("ab", -5, .normal), ("abc", -9, .normal)])
        XCTAssertEqual(texts(byText, "abc"), ["abc"])
        let chained = try tokenizer([("a", -1, .normal), ("b", -1, .normal), ("c", -1, .normal),
                                     ("ab", -4, .normal), ("abc", -9, .normal)])
        XCTAssertEqual(texts(chained, "abcab"), ["abc", "ab"])
    }

    func testSpacesUserDefinedTokensAndByteFallback() throws {
        let vocabulary = try tokenizer([("▁", -1, .normal), ("a", -1, .normal), ("▁a", -2, .normal),
                                        ("\n", 0, .userDefined), ("\n\n", 0, .userDefined),
                                        ("<0xC3>", 0, .byte), ("<0x0A>", 0, .byte)])
        XCTAssertEqual(texts(vocabulary, "a a"), ["a", "▁a"])
        XCTAssertEqual(texts(vocabulary, "a\n\n\n a"), ["a", "\n\n", "\n", "▁a"])
        // "é" is C3 A9: C3 has a byte token, A9 falls back to <unk>.
        XCTAssertEqual(texts(vocabulary, "é"), ["<0xC3>", "<unk>"])
        XCTAssertEqual(vocabulary.decode(vocabulary.encode("a\n\n\n a")), "a\n\n\n a")
        XCTAssertEqual(vocabulary.encode("a", addingBOS: true).first, 1)
    }

    func testSpacePrefixAtTheStartAndAfterUserDefinedTokens() throws {
        let vocabulary = try tokenizer([("▁", -1, .normal), ("a", -1, .normal), ("▁a", -2, .normal),
                                        ("\n", 0, .userDefined)], addsSpacePrefix: true)
        XCTAssertEqual(texts(vocabulary, "a\na"), ["▁a", "\n", "▁a"])
    }

    func testTokenSpanningASpaceStillForms() throws {
        let vocabulary = try tokenizer([("▁", -1, .normal), ("a", -1, .normal), ("b", -1, .normal),
                                        ("▁b", -2, .normal), ("a▁b", -3, .normal)])
        XCTAssertEqual(texts(vocabulary, "a b b"), ["a▁b", "▁b"])
    }

    /// Random texts over a small alphabet (long enough for both the flat scan and the heap)
    /// against a plain transcription of the rule: merge the best-scoring adjacent pair that
    /// forms a token, leftmost on a tie.
    func testAgreesWithTheRuleOnRandomText() throws {
        var state: UInt64 = 20_261_206
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        let alphabet = ["a", "b", "c", "▁"]
        var entries: [(String, Float, TokenType)] = alphabet.map { ($0, 0, .normal) }
        var seen = Set(alphabet)
        while entries.count < 60 {
            let text = (0..<(2 + next(4))).map { _ in alphabet[next(alphabet.count)] }.joined()
            if seen.insert(text).inserted { entries.append((text, Float(-next(20)), .normal)) }
        }
        let vocabulary = try tokenizer(entries)
        let scoreOf = Dictionary(uniqueKeysWithValues: entries.map { ($0.0, $0.1) })
        for _ in 0..<300 {
            let letters = next(2) == 0 ? ["a", "b", "c", " "] : ["a", "b", "c"]  // no spaces: one long segment
            let text = (0..<(1 + next(120))).map { _ in letters[next(letters.count)] }.joined()
            var symbols = text.map { $0 == " " ? "▁" : String($0) }
            while true {
                var best: (index: Int, score: Float)?
                for i in 0..<max(symbols.count - 1, 0) {
                    if let score = scoreOf[symbols[i] + symbols[i + 1]], score > best?.score ?? -.infinity { best = (i, score) }
                }
                guard let best else { break }
                symbols[best.index] += symbols.remove(at: best.index + 1)
            }
            XCTAssertEqual(texts(vocabulary, text), symbols, "text \(text.debugDescription)")
        }
    }
}
