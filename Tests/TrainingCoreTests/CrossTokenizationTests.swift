import DataPipeline
import Engine
import Foundation
import LanguageModels
import Tokenizer
import TrainingCore
import XCTest

/// The student's text in the teacher's tokens, with the two real tokenizers: SmolLM2's
/// byte-level BPE (the shards') and Gemma 3's SentencePiece. Skips visibly without the files
/// (launch/fetch-teacher, launch/fetch-teacher --model gemma3).
final class CrossTokenizationTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let smolPath = root.appendingPathComponent("data/teacher/SmolLM2-135M-Instruct.Q4_1.gguf").path
    static let gemmaPath = root.appendingPathComponent("data/teacher/gemma-3-270m-q4_k_m.gguf").path
    /// Prose, code and non-ASCII text, so windows start and end inside multi-byte characters.
    static let text = "Die Größe des Kühlschranks — 120 € — ist für „kleine“ Küchen gedacht. 東京は日本の首都です。\n"
        + "def area(r: float) -> float:\n    return 3.14159 * r ** 2  # π r²\n"
        + "The lighthouse keeper climbed the stairs, counting each of the 117 steps twice.\n"

    func tokenizers() throws -> (student: any TextTokenizer, teacher: any TextTokenizer) {
        for path in [Self.smolPath, Self.gemmaPath] where !FileManager.default.fileExists(atPath: path) {
            throw XCTSkip("SKIPPED: \(path) not found; run launch/fetch-teacher and launch/fetch-teacher --model gemma3")
        }
        return (try GGUFTokenizer.load(ggufAt: Self.smolPath), try GGUFTokenizer.load(ggufAt: Self.gemmaPath))
    }

    /// Every training window, wherever it starts, reaches the teacher as [BOS] + the teacher's
    /// tokens of exactly its bytes, padded (label −1) after the text or cut at TT.
    func testTeacherTokensSpellExactlyTheWindowsBytes() throws {
        let (student, teacher) = try tokenizers()
        let stream = try student.encode(Self.text)
        let T = 9, TT = 9
        let cross = CrossTokenization(studentTokenizer: student, teacherTokenizer: teacher, teacherSequenceLength: TT)
        XCTAssertFalse(cross.isShared)
        var cut = 0
        for start in 0..<(stream.count - T - 1) {
            let window = Array(stream[start...start + T])
            let batch = SequenceBatch(sequences: window, batchSize: 1, sequenceLength: T)
            let (ids, truncated) = try cross.teacherTokens(for: batch)
            XCTAssertEqual(ids.inputs.count, TT)
            XCTAssertEqual(ids.inputs[0], teacher.bosTokenID)
            let labels = ids.labels.filter { $0 >= 0 }
            XCTAssertEqual(Array(ids.inputs[1...]).prefix(labels.count - 1), labels.dropLast()[...], "inputs are the labels shifted")
            XCTAssertEqual(ids.labels.drop { $0 >= 0 }.allSatisfy { $0 == -1 }, true, "padding only after the text")
            let expected = student.decodeBytes(window)
            if truncated == 0 {
                XCTAssertEqual(teacher.decodeBytes(labels), expected, "window at \(start)")
            } else {
                cut += 1
                XCTAssertEqual(labels.count, TT)
                XCTAssertEqual(Array(expected.prefix(teacher.decodeBytes(labels).count)), teacher.decodeBytes(labels))
            }
        }
        XCTAssertGreaterThan(cut, 0, "some windows need more than TT teacher tokens (the cut is exercised)")
        XCTAssertLessThan(cut, stream.count - T - 1, "some windows fit")
    }

    /// A validation window scores the bytes of its T labels after the bytes of its first
    /// token, on both sides; consecutive windows of a stream tile the stream's bytes
    /// whatever T, so a per-byte perplexity is exp(total NLL / total bytes) of the text.
    func testScoredTextsTileTheStreamWhateverTheWindowing() throws {
        let (student, teacher) = try tokenizers()
        let stream = try student.encode(Self.text)
        for T in [4, 11, 30] {
            let cross = CrossTokenization(studentTokenizer: student, teacherTokenizer: teacher, teacherSequenceLength: T)
            let windows = (stream.count - 1) / T
            var scoredBytes: [UInt8] = [], labelByteCount = 0
            for w in 0..<windows {
                let window = stream[w * T...(w + 1) * T]
                let text = try cross.scoredText(window: window)
                let (inputs, labels) = text.inputsAndLabels
                XCTAssertEqual(inputs.count, labels.count)
                XCTAssertEqual(inputs[0], teacher.bosTokenID)
                XCTAssertEqual(teacher.decodeBytes(Array(text.ids[1...text.firstScoredLabel])), student.decodeBytes([window.first!]),
                               "the context is the first token's bytes")
                let scored = labels.filter { $0 >= 0 }
                XCTAssertEqual(scored.count, labels.count - text.firstScoredLabel)
                scoredBytes += teacher.decodeBytes(scored)
                XCTAssertEqual(text.byteCount, CrossTokenization.labelBytes(window: window, studentTokenizer: student))
                labelByteCount += text.byteCount
            }
            XCTAssertEqual(scoredBytes, student.decodeBytes(Array(stream[1...windows * T])), "T = \(T)")
            XCTAssertEqual(labelByteCount, scoredBytes.count)
        }
    }

    /// The teacher's per-byte cross-entropy is the sum of its NLL over the scored labels of
    /// each window (checked against a plain forward pass and log-softmax), over the bytes.
    func testTeacherPerByteCrossEntropyIsTheScoredNLLOverTheBytes() throws {
        let (student, teacher) = try tokenizers()
        let source = try ModelSource(path: Self.gemmaPath, role: .teacher)
        let model = try source.loadInference(1, 64)
        let stream = try student.encode(Self.text)
        let T = 10
        let cross = CrossTokenization(studentTokenizer: student, teacherTokenizer: teacher, teacherSequenceLength: T)
        let format = TeacherMessageFormat(requirements: [], rows: 2 * T, k: 0, vocabularySize: model.vocabularySize,
                                          hiddenWidth: 0, temperature: 1)
        let worker = TeacherWorker(model: model, format: format, crossTokenization: cross, perplexityUnit: .byte)
        let sequences = Array(stream[0...T]) + Array(stream[T...2 * T])
        let measured = try worker.crossEntropy(on: SequenceBatch(sequences: sequences, batchSize: 2, sequenceLength: T))
        var expectedSum = 0.0, expectedBytes = 0
        for window in [stream[0...T], stream[T...2 * T]] {
            let text = try cross.scoredText(window: window)
            let (inputs, labels) = text.inputsAndLabels
            try model.forward(tokens: inputs, batchSize: 1, sequenceLength: inputs.count)
            let V = model.vocabularySize
            try model.logits { start, count, logits in
                for row in 0..<count where labels[start + row] >= 0 {
                    let z = UnsafeBufferPointer(start: logits + row * V, count: V)
                    let top = Double(z.max()!)
                    let logSum = top + Foundation.log(z.reduce(0.0) { $0 + Foundation.exp(Double($1) - top) })
                    expectedSum += logSum - Double(z[Int(labels[start + row])])
                }
            }
            expectedBytes += text.byteCount
        }
        XCTAssertEqual(measured.count, expectedBytes)
        XCTAssertEqual(measured.sum, expectedSum, accuracy: 1e-3 * expectedSum)
        let perByte = Foundation.exp(measured.sum / Double(measured.count))
        print("Gemma 3 per-byte perplexity of the test text: \(perByte)")
        XCTAssertGreaterThan(perByte, 1)
        XCTAssertLessThan(perByte, 8, "a pretrained model spends well under 3 bits per byte of ordinary text")
    }

    /// One tokenizer on both sides is shared: the same ids, per-token perplexities.
    func testOneTokenizerIsShared() throws {
        let (student, _) = try tokenizers()
        XCTAssertTrue(CrossTokenization(studentTokenizer: student, teacherTokenizer: student, teacherSequenceLength: 8).isShared)
    }
}
