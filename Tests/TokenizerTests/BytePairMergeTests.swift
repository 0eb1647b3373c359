import Foundation
import Tokenizer
import XCTest

/// BPE order on small hand-made vocabularies (no GGUF needed): the lowest-ranked pair merges
/// first, the leftmost one on a tie; short and long pre-tokens (which take different code
/// paths) follow the same rule.
final class BytePairMergeTests: XCTestCase {
    /// The 256 byte tokens in GPT-2's alphabet ("a" is "a", space is "Ġ"), then `extra`.
    private func byteAlphabet() -> [String] {
        var printable = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        var scalars = printable
        var next = 256
        for byte in 0..<256 where !printable.contains(byte) {
            printable.append(byte)
            scalars.append(next)
            next += 1
        }
        var tokenOfByte = [String](repeating: "", count: 256)
        for (byte, scalar) in zip(printable, scalars) {
            tokenOfByte[byte] = String(Character(Unicode.Scalar(UInt32(scalar))!))
        }
        return tokenOfByte
    }

    private func makeTokenizer(merges: [String]) throws -> Tokenizer {
        let tokens = byteAlphabet() + merges.map { $0.replacingOccurrences(of: " ", with: "") }
        return try Tokenizer(tokens: tokens, merges: merges, bosTokenID: nil, eosTokenID: nil, paddingTokenID: nil)
    }

    private func names(_ ids: [Int32], _ tokenizer: Tokenizer) -> [String] {
        ids.map { tokenizer.tokens[Int($0)] }
    }

    func testRunsOfOneLetterPairUpFromTheLeft() throws {
        let tokenizer = try makeTokenizer(merges: ["a a", "aa aa"])
        // 7 a: (a,a) merges leftmost first → aa aa aa a → (aa,aa) leftmost → aaaa aa a.
        XCTAssertEqual(names(try tokenizer.encode(String(repeating: "a", count: 7)), tokenizer), ["aaaa", "aa", "a"])
        // 100 a (a long pre-token): 50 × aa, then 25 × aaaa. 101 a: one a left over.
        XCTAssertEqual(names(try tokenizer.encode(String(repeating: "a", count: 100)), tokenizer),
                       Array(repeating: "aaaa", count: 25))
        XCTAssertEqual(names(try tokenizer.encode(String(repeating: "a", count: 101)), tokenizer),
                       Array(repeating: "aaaa", count: 25) + ["a"])
        XCTAssertEqual(names(try tokenizer.encode(String(repeating: "a", count: 102)), tokenizer),
                       Array(repeating: "aaaa", count: 25) + ["aa"])
    }

    func testLowerRankWinsOverPosition() throws {
        // "b c" has rank 0, "a b" rank 1: in "abc" the later pair merges first and blocks "ab".
        let tokenizer = try makeTokenizer(merges: ["b c", "a b", "ab c"])
        XCTAssertEqual(names(try tokenizer.encode("abc"), tokenizer), ["a", "bc"])
        XCTAssertEqual(names(try tokenizer.encode(String(repeating: "abc", count: 40)), tokenizer),
                       Array(repeating: ["a", "bc"], count: 40).flatMap { $0 })
        // "abab": (a,b) twice with rank 1, nothing lower: both merge.
        XCTAssertEqual(names(try tokenizer.encode("abab"), tokenizer), ["ab", "ab"])
        XCTAssertEqual(names(try tokenizer.encode(String(repeating: "ab", count: 60)), tokenizer),
                       Array(repeating: "ab", count: 60))
    }

    func testMergeResultsChainAcrossRanks() throws {
        // x y z w: "z w" (0), "x y" (1), "xy zw" (2) → one token; a later merge can only use
        // tokens that exist when it is reached.
        let tokenizer = try makeTokenizer(merges: ["z w", "x y", "xy zw", "xyzw xyzw"])
        XCTAssertEqual(names(try tokenizer.encode("xyzw"), tokenizer), ["xyzw"])
        XCTAssertEqual(names(try tokenizer.encode(String(repeating: "xyzw", count: 20)), tokenizer),
                       Array(repeating: "xyzwxyzw", count: 10))
        XCTAssertEqual(names(try tokenizer.encode(String(repeating: "xyzw", count: 3)), tokenizer),
                       ["xyzwxyzw", "xyzw"])
    }

    func testPreTokensNeverMergeAcrossBoundaries() throws {
        // "Ġ a" would merge a space with a letter, but not across "a1" (digit split) or "a!".
        let tokenizer = try makeTokenizer(merges: ["Ġ a", "a 1", "a !"])
        XCTAssertEqual(names(try tokenizer.encode(" a a1 a!"), tokenizer), ["Ġa", "Ġa", "1", "Ġa", "!"])
    }

    func testInvalidMergesAndSpecialIDsAreRefused() {
        let tokens = byteAlphabet()
        XCTAssertThrowsError(try Tokenizer(tokens: tokens, merges: ["a b"], bosTokenID: nil, eosTokenID: nil, paddingTokenID: nil)) {
            XCTAssertEqual($0 as? TokenizerError, .invalidMerge(rank: 0, merge: "a b", reason: "'ab' is not in the vocabulary"))
        }
        XCTAssertThrowsError(try Tokenizer(tokens: tokens + ["ab"], merges: ["ab"], bosTokenID: nil, eosTokenID: nil, paddingTokenID: nil))
        XCTAssertThrowsError(try Tokenizer(tokens: tokens, merges: [], bosTokenID: 256, eosTokenID: nil, paddingTokenID: nil)) {
            XCTAssertEqual($0 as? TokenizerError, .specialTokenOutOfRange(name: "BOS", id: 256, vocabularySize: 256))
        }
    }

    func testMissingByteTokenThrows() throws {
        var tokens = byteAlphabet()
        tokens[Int(UInt8(ascii: "q"))] = "<|placeholder|>"
        let tokenizer = try Tokenizer(tokens: tokens, merges: [], bosTokenID: nil, eosTokenID: nil, paddingTokenID: nil)
        XCTAssertEqual(try tokenizer.encode("abc"), [97, 98, 99])
        XCTAssertThrowsError(try tokenizer.encode("an equal")) {
            XCTAssertEqual($0 as? TokenizerError, .unencodableByte(byte: UInt8(ascii: "q"), offset: 4))
        }
    }

    func testIdentityFollowsVocabularyAndMerges() throws {
        let first = try makeTokenizer(merges: ["a a", "aa aa"])
        let same = try makeTokenizer(merges: ["a a", "aa aa"])
        let fewerMerges = try Tokenizer(tokens: first.tokens, merges: ["a a"], bosTokenID: nil, eosTokenID: nil, paddingTokenID: nil)
        XCTAssertEqual(first.identity, same.identity)
        XCTAssertNotEqual(first.identity, fewerMerges.identity)
        // FNV-1a 64 of the bytes "a" 00 FF (one token "a", no merges), worked out separately:
        // offset 0xcbf29ce484222325, prime 0x100000001b3.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte: UInt8 in [0x61, 0x00, 0xFF] { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let tiny = try Tokenizer(tokens: ["a"], merges: [], bosTokenID: 0, eosTokenID: nil, paddingTokenID: nil)
        XCTAssertEqual(tiny.identity, String(format: "%016llx", hash))
    }
}
