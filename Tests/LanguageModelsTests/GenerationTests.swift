import Engine
import GGUF
import LanguageModels
import XCTest

/// Sampling rules on the tiny model: top-1 sampling is greedy, a seed fixes the sample,
/// a stop token ends generation.
final class GenerationTests: XCTestCase {
    private func tinyModel() throws -> LlamaInference {
        try LlamaInference(gguf: try GGUFFile(path: try TinyLlamaGGUF().write()), maxBatchSize: 1, maxSequenceLength: 32)
    }

    func testTopOneSamplingIsGreedyAndSeedsAreReproducible() throws {
        let model = try tinyModel()
        let prompt: [Int32] = [3, 7, 1]
        let greedy = try model.generate(prompt: prompt, maxTokens: 12)
        XCTAssertEqual(greedy.count, 12)
        let topOne = try model.generate(prompt: prompt, maxTokens: 12,
                                        options: SamplingOptions(temperature: 1.5, topK: 1, seed: 99))
        XCTAssertEqual(topOne, greedy)
        let first = try model.generate(prompt: prompt, maxTokens: 12, options: SamplingOptions(temperature: 50, topK: 0, seed: 5))
        let again = try model.generate(prompt: prompt, maxTokens: 12, options: SamplingOptions(temperature: 50, topK: 0, seed: 5))
        XCTAssertEqual(first, again)
        XCTAssertTrue(first.allSatisfy { (0..<16).contains($0) })
    }

    func testStopsAfterStopTokenAndSlidesPastTheContext() throws {
        let model = try tinyModel()
        let greedy = try model.generate(prompt: [2], maxTokens: 40)  // longer than the 32-token context
        XCTAssertEqual(greedy.count, 40)
        let stop = greedy[4]
        let stopped = try model.generate(prompt: [2], maxTokens: 40, stopTokens: [stop])
        XCTAssertEqual(stopped, Array(greedy[...greedy.firstIndex(of: stop)!]))
    }
}
