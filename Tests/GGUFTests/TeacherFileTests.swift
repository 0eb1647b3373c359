import Foundation
import GGUF
import XCTest

/// The real teacher file (SmolLM2-135M-Instruct Q4_1), when it has been fetched.
final class TeacherFileTests: XCTestCase {
    static var teacherPath: String {
        if let path = ProcessInfo.processInfo.environment["DDK_TEACHER_GGUF"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent("data/teacher/SmolLM2-135M-Instruct.Q4_1.gguf").path
    }

    private func openTeacher() throws -> GGUFFile {
        let path = Self.teacherPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("teacher GGUF not found at \(path); run launch/fetch-teacher (or set DDK_TEACHER_GGUF)")
        }
        return try GGUFFile(path: path)
    }

    func testHeaderAndMetadata() throws {
        let file = try openTeacher()
        XCTAssertEqual(file.architecture, "llama")
        XCTAssertEqual(try file.integer("llama.block_count"), 30)
        XCTAssertEqual(try file.integer("llama.embedding_length"), 576)
        XCTAssertEqual(try file.integer("llama.feed_forward_length"), 1536)
        XCTAssertEqual(try file.integer("llama.attention.head_count"), 9)
        XCTAssertEqual(try file.integer("llama.attention.head_count_kv"), 3)
        XCTAssertEqual(try file.stringArray("tokenizer.ggml.tokens").count, 49152)
        XCTAssertEqual(try file.stringArray("tokenizer.ggml.merges").count, 48900)
        var typeCounts: [GGUFTensorType: Int] = [:]
        for tensor in file.tensors { typeCounts[tensor.type, default: 0] += 1 }
        XCTAssertEqual(typeCounts, [.f32: 61, .q4_1: 210, .q8_0: 1])
        let embedding = try file.tensor(named: "token_embd.weight")
        XCTAssertEqual(embedding.type, .q8_0)
        XCTAssertEqual(embedding.dimensions, [576, 49152])
        XCTAssertEqual(try file.tensor(named: "blk.0.ffn_down.weight").dimensions, [1536, 576])
        XCTAssertFalse(file.containsTensor(named: "output.weight"))
        let last = file.tensors.max { $0.fileOffset < $1.fileOffset }!
        XCTAssertEqual(last.fileOffset + last.byteCount, file.fileSize)
    }

    func testDequantizedQ4_1BlockMatchesHandDecoding() throws {
        let file = try openTeacher()
        let tensor = try file.tensor(named: "blk.0.attn_q.weight")
        XCTAssertEqual(tensor.type, .q4_1)
        let values = try file.dequantize(tensor.name)
        XCTAssertEqual(values.count, 576 * 576)
        XCTAssertTrue(values.allSatisfy(\.isFinite))
        // Decode block 1 of row 2 by hand: 18 blocks per row of 576.
        let blockIndex = 2 * 18 + 1
        let expected: [Float] = file.withRawBytes(of: tensor) { raw in
            let block = Array(raw[(20 * blockIndex)..<(20 * blockIndex + 20)])
            let d = Float(Float16(bitPattern: UInt16(block[0]) | UInt16(block[1]) << 8))
            let m = Float(Float16(bitPattern: UInt16(block[2]) | UInt16(block[3]) << 8))
            return (0..<32).map { j in
                let byte = block[4 + j % 16]
                let nibble = j < 16 ? byte & 15 : byte >> 4
                return Float(nibble) * d + m
            }
        }
        XCTAssertEqual(Array(values[(2 * 576 + 32)..<(2 * 576 + 64)]), expected)
        let norm = try file.dequantize("blk.0.attn_norm.weight")
        XCTAssertEqual(norm.count, 576)
        XCTAssertTrue(norm.allSatisfy { $0.isFinite && $0 != 0 })
    }
}
