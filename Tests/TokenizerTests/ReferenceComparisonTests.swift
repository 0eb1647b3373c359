import Foundation
import Tokenizer
import XCTest

/// The Swift encoder against an independent Python reference (Reference/reference_bpe.py,
/// standard library only) on fixed strings, seeded random text mixing many scripts and
/// whitespace kinds, and excerpts of real files.
final class ReferenceComparisonTests: XCTestCase {
    private func referenceEncode(_ texts: [String]) throws -> [[Int32]] {
        let script = TeacherTokenizer.repositoryRoot.appendingPathComponent("Tests/TokenizerTests/Reference/reference_bpe.py").path
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            throw XCTSkip("python3 not found at /usr/bin/python3; the reference comparison needs it")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bpe-ref-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.json"), output = directory.appendingPathComponent("out.json")
        try JSONEncoder().encode(texts).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, TeacherTokenizer.path, input.path, output.path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "reference_bpe.py failed")
        return try JSONDecoder().decode([[Int32]].self, from: Data(contentsOf: output))
    }

    /// Random text from a seeded generator: words, digits, many kinds of whitespace,
    /// apostrophes, punctuation, other scripts, combining marks, emoji, number symbols.
    private func randomTexts(count: Int, seed: UInt64) -> [String] {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        let pools: [[String]] = [
            ["the", "of", "and", "Hello", "WORLD", "naïve", "Straße", "don", "it", "we", "x", "I"],
            ["0", "1", "2", "3", "42", "2024", "3.14", "1,000", "٣", "४", "½", "²", "Ⅻ", "𝟙"],
            [" ", " ", " ", "  ", "   ", "\n", "\n\n", "\t", "\r\n", " \n ", "\u{A0}", "\u{2003}", "\u{3000}", "\u{85}",
             "\u{2028}", "\u{0B}", "\u{0C}", "\u{1680}", "\u{1C}", "\u{1F}"],
            ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'", "''", "'S", "'x", "’s"],
            [".", ",", "!", "?", "...", "--", "(", ")", "{", "}", "=", "==", "->", "#", "@", "\"", "*", "_", "`", "\\"],
            ["日本語", "中文", "한국어", "Дмитрий", "Ελληνικά", "עברית", "العربية", "हिन्दी", "ไทย"],
            ["e\u{301}", "\u{308}", "\u{94D}", "🚀", "👩‍👧", "🇫🇷", "👍🏽", "\u{200D}", "\u{FEFF}", "\u{7F}", "\u{1B}"],
        ]
        return (0..<count).map { _ in
            var text = ""
            for _ in 0..<(20 + Int(next() % 80)) {
                let pool = pools[Int(next() % UInt64(pools.count))]
                text += pool[Int(next() % UInt64(pool.count))]
            }
            return text
        }
    }

    func testAgreesWithReferenceOnFixedAndRandomText() throws {
        let tokenizer = try TeacherTokenizer.load()
        var texts = [
            "The capital of France is Paris. The capital of Germany is Berlin. The capital of Italy is Rome.",
            "Once upon a time, there was a little girl named",
            "  \n\n  def f(x):\n    return x**2  # 3.14\n\n\n",
            "I'm   12 you've  2x 'll'LL '' ' s",
            String(repeating: " ", count: 200) + "word" + String(repeating: "ab", count: 150) + String(repeating: "\n", count: 99) + "7",
        ]
        texts += randomTexts(count: 300, seed: 20_261_123)
        for path in ["/usr/share/common-licenses/GPL-3", "/usr/lib/python3.11/argparse.py"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { texts.append(String(text.prefix(40_000))) }
        }
        let expected = try referenceEncode(texts)
        XCTAssertEqual(expected.count, texts.count)
        var mismatches = 0
        for (text, ids) in zip(texts, expected) {
            let actual = try tokenizer.encode(text)
            if actual != ids {
                mismatches += 1
                if mismatches <= 3 { XCTFail("mismatch on \(text.debugDescription.prefix(200)):\n swift \(actual.prefix(40))\n python \(ids.prefix(40))") }
            }
        }
        XCTAssertEqual(mismatches, 0)
    }
}
