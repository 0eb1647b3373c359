import Engine
import Foundation
import GGUF
import LanguageModels
import Tokenizer
import XCTest

/// SmolLM2-135M-Instruct end to end: perplexity on the sanity texts and a greedy continuation.
///
/// Sanity texts (DATA_AND_TEACHER.md gives ≈3.7 / ≈2.1 / ≈5.4 from an independent forward
/// pass, but only the first text is spelled out there):
/// * `capitals`: the reference's own sentence; must be within 2% of 3.7.
/// * `pythonCode`: a short recursive-Fibonacci program (below). It scores 2.16, 3% above the
///   reference's 2.1 for its (unknown) Python text; fixed here at 2.16 ± 2%.
/// * `mitLicence`: the standard MIT licence as distributed (SPDX "MIT" text, with the
///   "MIT License" title and "Copyright (c) <year> <copyright holders>" line, lines wrapped
///   as usual). This model has clearly memorised it: it scores 2.56, not 5.4; shorter
///   excerpts score higher (the permission paragraph alone, on one line, 4.7). Fixed at
///   2.56 ± 2%.
/// All texts are scored as given: no BOS, every token from the second on predicted.
final class TeacherModelTests: XCTestCase {
    static let capitals = "The capital of France is Paris. The capital of Germany is Berlin. The capital of Italy is Rome."

    static let pythonCode = """
        def fibonacci(n):
            \"\"\"Return the n-th Fibonacci number.\"\"\"
            if n < 2:
                return n
            return fibonacci(n - 1) + fibonacci(n - 2)


        def main():
            for i in range(10):
                print(i, fibonacci(i))


        if __name__ == "__main__":
            main()

        """

    static let mitLicence = """
        MIT License

        Copyright (c) <year> <copyright holders>

        Permission is hereby granted, free of charge, to any person obtaining a copy
        of this software and associated documentation files (the "Software"), to deal
        in the Software without restriction, including without limitation the rights
        to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
        copies of the Software, and to permit persons to whom the Software is
        furnished to do so, subject to the following conditions:

        The above copyright notice and this permission notice shall be included in all
        copies or substantial portions of the Software.

        THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
        IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
        FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
        AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
        LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
        OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
        SOFTWARE.

        """

    private func perplexity(_ text: String) throws -> PerplexityResult {
        let teacher = try TeacherFixture.load()
        return try teacher.inference.perplexity(of: try teacher.tokenizer.encode(text))
    }

    func testConfigFromMetadataIsSmolLM2() throws {
        let teacher = try TeacherFixture.load()
        var expected = LlamaConfig.smolLM2_135M
        expected.rmsNormEpsilon = Float(try teacher.file.number("llama.attention.layer_norm_rms_epsilon"))
        XCTAssertEqual(teacher.inference.config, expected)
        XCTAssertTrue(teacher.inference.config.tieWordEmbeddings)
    }

    func testPerplexityOnCapitalsMatchesReference() throws {
        let result = try perplexity(Self.capitals)
        XCTAssertEqual(result.tokens, 21)
        XCTAssertEqual(result.predictedTokens, 20)
        XCTAssertEqual(result.perplexity, 3.7, accuracy: 3.7 * 0.02)
    }

    func testPerplexityOnPythonCode() throws {
        XCTAssertEqual(try perplexity(Self.pythonCode).perplexity, 2.16, accuracy: 2.16 * 0.02)
    }

    func testPerplexityOnMITLicence() throws {
        XCTAssertEqual(try perplexity(Self.mitLicence).perplexity, 2.56, accuracy: 2.56 * 0.02)
    }

    func testWindowsPredictEveryTokenOnce() throws {
        let teacher = try TeacherFixture.load()
        let ids = try teacher.tokenizer.encode(Self.mitLicence)
        let whole = try teacher.inference.perplexity(of: ids)
        let windowed = try teacher.inference.perplexity(of: ids, window: 64)
        XCTAssertEqual(windowed.predictedTokens, ids.count - 1)
        XCTAssertEqual(whole.predictedTokens, ids.count - 1)
        // Less context per prediction: worse than the whole text at once.
        XCTAssertGreaterThan(windowed.perplexity, whole.perplexity)
        // Windows overlap by one token: [0, 64), [63, 127), ... each scored on its own.
        var totalNLL = 0.0
        var start = 0
        while start + 1 < ids.count {
            let end = min(start + 64, ids.count)
            let part = try teacher.inference.perplexity(of: Array(ids[start..<end]))
            totalNLL += part.meanNegativeLogLikelihood * Double(part.predictedTokens)
            start = end - 1
        }
        XCTAssertEqual(windowed.meanNegativeLogLikelihood, totalNLL / Double(ids.count - 1), accuracy: 1e-9)
    }

    func testGreedyContinuationIsFixed() throws {
        let teacher = try TeacherFixture.load()
        let prompt = try teacher.tokenizer.encode("Once upon a time, there was a little girl named")
        let ids = try teacher.inference.generate(prompt: prompt, maxTokens: 24)
        // Checked by eye: " Emma who loved to play in the sun. She would often go to the beach and
        // play with her friends. One day" — coherent English.
        XCTAssertEqual(teacher.tokenizer.decode(ids), " Emma who loved to play in the sun. She would often go to the beach and play with her friends. One day")
        XCTAssertEqual(ids, [20391, 617, 5732, 288, 1238, 281, 260, 2388, 30, 2306, 736, 1129, 685, 288, 260, 10724,
                             284, 1238, 351, 874, 2428, 30, 1963, 1194])
    }
}
