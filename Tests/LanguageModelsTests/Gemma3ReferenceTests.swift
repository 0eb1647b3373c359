import Engine
import Foundation
import GGUF
import LanguageModels
import Tokenizer
import XCTest

/// The Gemma 3 270M teacher against an independent NumPy forward pass (Reference/
/// gemma3_reference.py, weights dequantized by the `gguf` package): the logits of a short
/// sequence, and of a longer one with the sliding window narrowed from 512 to 8 tokens on both
/// sides (so that a short text exercises it), perplexity of prose and code with and without
/// BOS, and a 20-token greedy continuation.
/// Both sides read the Swift tokenizer's ids; the reference runs while Swift computes.
/// Skips visibly without the file, python3, numpy or gguf.
final class Gemma3ReferenceTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static var gemmaPath: String {
        ProcessInfo.processInfo.environment["DDK_GEMMA_GGUF"]
            ?? repositoryRoot.appendingPathComponent("data/teacher/gemma-3-270m-q4_k_m.gguf").path
    }

    static let prose = "The old lighthouse keeper climbed the spiral stairs every evening, counting the steps "
        + "as his father had taught him, and lit the lamp before the fishing boats came home."
    static let code = "func fibonacci(_ n: Int) -> Int {\n    if n < 2 { return n }\n    return fibonacci(n - 1) + fibonacci(n - 2)\n}\n"
    static let prompt = "The three primary colors are"
    static let narrowWindow = 8

    private struct Request: Encodable {
        struct Windowed: Encodable { var ids: [Int32]; var window: Int }
        struct Greedy: Encodable { var prompt: [Int32]; var steps: Int }
        var logits: [Int32]
        var windowed: Windowed
        var score: [[Int32]]
        var greedy: Greedy
    }

    private struct Reply: Decodable {
        var mean_nll: [Double]
        var greedy: [Int32]
    }

    func testForwardAgreesWithNumPyReference() throws {
        guard FileManager.default.fileExists(atPath: Self.gemmaPath) else {
            throw XCTSkip("SKIPPED: Gemma 3 GGUF not found at \(Self.gemmaPath); run launch/fetch-teacher --model gemma3 (or set DDK_GEMMA_GGUF)")
        }
        BLASThreads.set(1)
        let file = try GGUFFile(path: Self.gemmaPath)
        let tokenizer = try GGUFTokenizer.load(from: file)
        let short = Array(try tokenizer.encode(Self.prose, addingBOS: true).prefix(12))
        var scored: [[Int32]] = []
        for text in [Self.prose, Self.code] {
            for bos in [true, false] { scored.append(try tokenizer.encode(text, addingBOS: bos)) }
        }
        let prompt = try tokenizer.encode(Self.prompt, addingBOS: true)
        let reference = try ReferenceRun(Request(logits: short, windowed: .init(ids: scored[2], window: Self.narrowWindow),
                                                 score: scored, greedy: .init(prompt: prompt, steps: 20)))
        defer { reference.cleanUp() }

        let model = try Gemma3Inference(gguf: file, maxBatchSize: 1, maxSequenceLength: 64)
        let logits = try allLogits(model, short)
        var narrowConfig = model.config
        narrowConfig.slidingWindow = Self.narrowWindow
        let narrow = try Gemma3Inference(config: narrowConfig, maxBatchSize: 1, maxSequenceLength: 64)
        narrow.parameters.pointer.update(from: model.parameters.pointer, count: model.layout.count)
        let windowed = try allLogits(narrow, scored[2])
        let perplexities = try scored.map { try model.perplexity(of: $0).perplexity }
        let greedy = try model.generate(prompt: prompt, maxTokens: 20)

        let reply: Reply = try reference.finish()
        for (name, swift, numpy) in [("short", logits, try reference.floats("logits.f32")),
                                     ("window \(Self.narrowWindow), \(scored[2].count) tokens", windowed,
                                      try reference.floats("windowed.f32"))] {
            XCTAssertEqual(swift.count, numpy.count, name)
            let maxDiff = zip(swift, numpy).map { abs($0 - $1) }.max() ?? .infinity
            print("Gemma 3 vs NumPy logits (\(name)): max |Δ| \(maxDiff), max |logit| \(numpy.map(abs).max() ?? 0)")
            XCTAssertLessThan(maxDiff, 1e-2, name)
        }
        for (index, name) in ["prose+BOS", "prose", "code+BOS", "code"].enumerated() {
            let numpy = Foundation.exp(reply.mean_nll[index])
            print("Gemma 3 vs NumPy perplexity \(name) (\(scored[index].count) tokens): \(perplexities[index]) vs \(numpy)")
            XCTAssertLessThan(abs(perplexities[index] / numpy - 1), 0.01, name)
        }
        print("Gemma 3 greedy: \(tokenizer.decode(greedy).debugDescription)")
        XCTAssertEqual(greedy, reply.greedy)
    }

    /// The logits of every position of `ids`, (T, V).
    private func allLogits(_ model: Gemma3Inference, _ ids: [Int32]) throws -> [Float] {
        try model.forward(tokens: ids, batchSize: 1, sequenceLength: ids.count)
        var logits: [Float] = []
        try model.logits { _, rows, chunk in logits += UnsafeBufferPointer(start: chunk, count: rows * model.vocabularySize) }
        return logits
    }

    /// gemma3_reference.py running on a request in a scratch folder.
    private final class ReferenceRun {
        let directory: URL, standardOutput: URL, standardError: URL
        let process = Process()

        init<R: Encodable>(_ request: R) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("gemma3-ref-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let requestURL = directory.appendingPathComponent("request.json")
            try JSONEncoder().encode(request).write(to: requestURL)
            standardOutput = directory.appendingPathComponent("stdout")
            standardError = directory.appendingPathComponent("stderr")
            for url in [standardOutput, standardError] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
            let script = Gemma3ReferenceTests.repositoryRoot
                .appendingPathComponent("Tests/LanguageModelsTests/Reference/gemma3_reference.py").path
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script, Gemma3ReferenceTests.gemmaPath, requestURL.path, directory.path]
            process.standardOutput = try FileHandle(forWritingTo: standardOutput)
            process.standardError = try FileHandle(forWritingTo: standardError)
            do { try process.run() } catch { throw XCTSkip("SKIPPED: cannot run /usr/bin/env python3 for the Gemma 3 reference") }
        }

        /// Waits for the reference and decodes its reply; skips or fails naming the problem.
        func finish<Reply: Decodable>() throws -> Reply {
            process.waitUntilExit()
            let complaint = (try? String(contentsOf: standardError, encoding: .utf8)) ?? ""
            switch process.terminationStatus {
            case 0: return try JSONDecoder().decode(Reply.self, from: try Data(contentsOf: standardOutput))
            case 3: throw XCTSkip("SKIPPED: python3 cannot import numpy and gguf (python3 -m pip install numpy gguf==0.19.0): \(complaint)")
            case 127: throw XCTSkip("SKIPPED: python3 not found for the Gemma 3 reference")
            default:
                XCTFail("gemma3_reference.py failed (status \(process.terminationStatus)): \(complaint)")
                throw XCTSkip("the reference failed")
            }
        }

        /// A little-endian Float32 file the reference wrote.
        func floats(_ name: String) throws -> [Float] {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            return data.withUnsafeBytes { raw in
                (0..<(data.count / 4)).map {
                    Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
                }
            }
        }

        func cleanUp() {
            if process.isRunning { process.terminate() }
            try? FileManager.default.removeItem(at: directory)
        }
    }
}
