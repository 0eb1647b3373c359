import Foundation
import Tokenizer
import XCTest

/// Gemma 3's tokenizer against an independent reference (Reference/reference_spm.py: Hugging
/// Face transformers converts the GGUF vocabulary, the Rust `tokenizers` library encodes) on
/// edge cases, seeded random text and excerpts of real files: code, prose and several
/// scripts. DDK_TOKENIZER_REFERENCE_BYTES sets how many bytes of files to compare (default
/// 300 000); DDK_REFERENCE_PYTHON names a python with transformers and tokenizers (default
/// /usr/bin/python3). Skips, saying why, when the model or the reference is missing.
final class SentencePieceReferenceTests: XCTestCase {
    private func referenceEncode(_ texts: [String]) throws -> [[Int32]] {
        let environment = ProcessInfo.processInfo.environment
        let python = environment["DDK_REFERENCE_PYTHON"] ?? "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw XCTSkip("\(python) not found; set DDK_REFERENCE_PYTHON to a python with transformers and tokenizers")
        }
        let script = TeacherTokenizer.repositoryRoot.appendingPathComponent("Tests/TokenizerTests/Reference/reference_spm.py").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spm-ref-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.json"), output = directory.appendingPathComponent("out.json")
        try JSONEncoder().encode(texts).write(to: input)
        let process = Process()
        let errors = Pipe()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, GemmaTokenizer.path, input.path, output.path]
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 77 {
            throw XCTSkip("\(message.trimmingCharacters(in: .whitespacesAndNewlines)) — set DDK_REFERENCE_PYTHON to a python that has them")
        }
        guard process.terminationStatus == 0 else {
            XCTFail("reference_spm.py failed: \(message)")
            return []
        }
        return try JSONDecoder().decode([[Int32]].self, from: Data(contentsOf: output))
    }

    func testAgreesWithReferenceOnEdgeCasesRandomTextAndFiles() throws {
        let tokenizer = try GemmaTokenizer.load()
        let budget = ProcessInfo.processInfo.environment["DDK_TOKENIZER_REFERENCE_BYTES"].flatMap(Int.init) ?? 300_000
        let texts = ReferenceTexts.edgeCases + ReferenceTexts.random(count: 400, seed: 20_261_206)
            + ReferenceTexts.fileExcerpts(budget: budget)
        let expected = try referenceEncode(texts)
        XCTAssertEqual(expected.count, texts.count)
        var mismatches = 0
        var bytes = 0, nonASCII = 0
        for (text, ids) in zip(texts, expected) {
            bytes += text.utf8.count
            nonASCII += text.utf8.lazy.filter { $0 >= 0x80 }.count
            let actual = tokenizer.encode(text)
            if actual != ids {
                mismatches += 1
                if mismatches <= 3 {
                    let at = zip(actual, ids).prefix { $0 == $1 }.count
                    XCTFail("mismatch on \(text.debugDescription.prefix(200)) at token \(at):\n swift \(actual[at...].prefix(20))\n python \(ids[at...].prefix(20))")
                }
            }
        }
        print("SentencePiece reference comparison: \(texts.count) texts, \(bytes) bytes (\(nonASCII) outside ASCII), \(mismatches) mismatches")
        XCTAssertEqual(mismatches, 0)
    }
}
