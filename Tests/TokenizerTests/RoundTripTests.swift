import Foundation
import Tokenizer
import XCTest

/// encode → decode gives back the text byte for byte.
final class RoundTripTests: XCTestCase {
    private func assertRoundTrip(_ text: String, _ tokenizer: Tokenizer, file: StaticString = #filePath, line: UInt = #line) throws {
        let ids = try tokenizer.encode(text)
        XCTAssertEqual(Array(tokenizer.decode(ids).utf8), Array(text.utf8), file: file, line: line)
        if !text.isEmpty { XCTAssertFalse(ids.isEmpty, file: file, line: line) }
        XCTAssertTrue(ids.allSatisfy { $0 >= 0 && Int($0) < tokenizer.vocabularySize }, file: file, line: line)
    }

    func testCodeProseNumbersWhitespaceAndNonASCII() throws {
        let tokenizer = try TeacherTokenizer.load()
        let samples = [
            "",
            "def fibonacci(n: int) -> int:\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)\n",
            "for (int i = 0; i < 10; ++i) { sum += a[i] * b[i]; }\t// dot\r\n",
            "It was the best of times, it was the worst of times; it was the age of wisdom...",
            "Pi is 3.14159265358979, e is 2.718281828 and 1,000,000 > 999_999 (0x1F, 1e-5, -42).",
            "   leading\t\ttabs\n\n\n   trailing   \n \n\t \u{0B}\u{0C}\r\n",
            String(repeating: " ", count: 1000) + "x" + String(repeating: "\n", count: 300),
            "naïve café, Ærøskøbing, Straße, Дмитрий Шостакович, Ελληνικά, עברית, العربية, हिन्दी",
            "日本語のテキスト、中文文本，한국어 텍스트。",
            "Emoji: 🚀🔥👩‍👩‍👧‍👦 🇫🇷 👍🏽 — and “quotes” ‘single’ … «guillemets»",
            "Unusual spaces:\u{00A0}a\u{2003}b\u{3000}c\u{0085}d\u{2028}e\u{1680}f",
            "Numbers of all kinds: ½ ² ⅻ Ⅻ ٣٤٥ ४२ 𝟘𝟙",
            "Combining: e\u{0301} a\u{0308}\u{0323} \u{0915}\u{094D}\u{0937}",
            "Controls: \u{00}\u{01}\u{07}\u{1B}[31m\u{7F}\u{1F}\u{1C}",
            "Contractions: I'm, you're, he's, we've, they'll, I'd, can't, ' s 'S ''ll",
            String(repeating: "abcdefghij", count: 30),
            String(repeating: "=", count: 500) + String(repeating: "-+", count: 200),
        ]
        for sample in samples { try assertRoundTrip(sample, tokenizer) }
    }

    func testEveryEncodableByteValueAndInvalidUTF8RoundTripThroughBytes() throws {
        let tokenizer = try TeacherTokenizer.load()
        let missing = Set<UInt8>([0x04, 0x06, 0x13, 0x14, 0x16, 0x1D, 0xC0, 0xC1, 0xF1, 0xF2] + Array(0xF5...0xFF))
        XCTAssertEqual(missing.count, 21)
        // Every other byte value, including lone continuation bytes and truncated sequences.
        var bytes = (0...255).map(UInt8.init).filter { !missing.contains($0) }
        bytes += [0xE2, 0x82, 0x41, 0xF0, 0x9F, 0x98, 0x20, 0xED, 0xA0, 0x80, 0xC2]
        for prefix in [0, 1, 7, bytes.count - 1] {
            let slice = Array(bytes[prefix...])
            let ids = try slice.withUnsafeBufferPointer { try tokenizer.encode(utf8: $0) }
            XCTAssertEqual(tokenizer.decodeBytes(ids), slice)
        }
    }

    func testBytesWithoutTokenThrowNamingByteAndOffset() throws {
        let tokenizer = try TeacherTokenizer.load()
        XCTAssertThrowsError(try tokenizer.encode("abc\u{04}def")) { error in
            XCTAssertEqual(error as? TokenizerError, .unencodableByte(byte: 0x04, offset: 3))
            XCTAssertEqual(String(describing: error),
                           "tokenizer: byte 0x04 at offset 3 has no token in this vocabulary; remove or replace it before encoding")
        }
        // Inside a longer pre-token too (the byte is "other", so it joins the "!!" run).
        XCTAssertThrowsError(try tokenizer.encode("hello !!\u{1D}!!")) {
            XCTAssertEqual($0 as? TokenizerError, .unencodableByte(byte: 0x1D, offset: 8))
        }
        let invalid: [UInt8] = [0x61, 0x20, 0xF5, 0x62]
        XCTAssertThrowsError(try invalid.withUnsafeBufferPointer { try tokenizer.encode(utf8: $0) }) {
            XCTAssertEqual($0 as? TokenizerError, .unencodableByte(byte: 0xF5, offset: 2))
        }
    }

    func testRealFilesRoundTrip() throws {
        let tokenizer = try TeacherTokenizer.load()
        let candidates = ["/usr/share/common-licenses/GPL-3", "/usr/lib/python3.11/argparse.py",
                          "/usr/share/common-licenses/Apache-2.0"]
        var checked = 0
        for path in candidates {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let bytes = [UInt8](data)
            let ids = try bytes.withUnsafeBufferPointer { try tokenizer.encode(utf8: $0) }
            XCTAssertEqual(tokenizer.decodeBytes(ids), bytes, path)
            XCTAssertLessThan(ids.count, bytes.count / 3, path)  // BPE actually compresses prose/code
            checked += 1
        }
        if checked == 0 { throw XCTSkip("none of \(candidates) is present") }
    }

    func testConcurrentEncodingAgreesWithSerial() throws {
        let tokenizer = try TeacherTokenizer.load()
        let texts = (0..<16).map { "Document \($0): " + String(repeating: "the quick brown fox \($0 * 7) jumps; ", count: 50 + $0) }
        let serial = try texts.map { try tokenizer.encode($0) }
        let results = UnsafeMutableBufferPointer<[Int32]>.allocate(capacity: texts.count)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: texts.count) { index in
            results[index] = (try? tokenizer.encode(texts[index])) ?? []
        }
        XCTAssertEqual(Array(results), serial)
    }
}
