import Foundation
import GGUF
import XCTest

/// Dequantization value for value against an independent reference: the `gguf` package from
/// PyPI (gguf.quants.dequantize, in NumPy), run by Reference/reference_dequantize.py. Checks
/// rows of every tensor of the real Gemma 3 270M Q4_K_M teacher, and seeded random blocks of
/// every quantized type SwiftDDK dequantizes. Both compute in ggml's order, so the values must
/// be identical. Skips visibly without python3 and gguf, or (the first test) without the file.
final class GGUFPyReferenceTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static var gemmaPath: String {
        ProcessInfo.processInfo.environment["DDK_GEMMA_GGUF"]
            ?? repositoryRoot.appendingPathComponent("data/teacher/gemma-3-270m-q4_k_m.gguf").path
    }

    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-py-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs reference_dequantize.py with `arguments` and returns its standard output.
    private func runReference(_ arguments: [String]) throws -> Data {
        let script = Self.repositoryRoot.appendingPathComponent("Tests/GGUFTests/Reference/reference_dequantize.py").path
        let standardOutput = directory.appendingPathComponent("stdout"), standardError = directory.appendingPathComponent("stderr")
        for url in [standardOutput, standardError] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        process.standardOutput = try FileHandle(forWritingTo: standardOutput)
        process.standardError = try FileHandle(forWritingTo: standardError)
        do { try process.run() } catch { throw XCTSkip("SKIPPED: cannot run /usr/bin/env python3 for the gguf reference") }
        process.waitUntilExit()
        let complaint = (try? String(contentsOf: standardError, encoding: .utf8)) ?? ""
        switch process.terminationStatus {
        case 0: return try Data(contentsOf: standardOutput)
        case 3: throw XCTSkip("SKIPPED: python3 cannot import the gguf package (python3 -m pip install gguf==0.19.0): \(complaint)")
        case 127: throw XCTSkip("SKIPPED: python3 not found for the gguf reference")
        default:
            XCTFail("reference_dequantize.py \(arguments.first ?? "") failed (status \(process.terminationStatus)): \(complaint)")
            throw XCTSkip("the reference failed")
        }
    }

    private func readFloats(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    /// Largest |swift − reference| (0 when both are the same NaN or infinity), and how many differ.
    private func difference(_ swift: ArraySlice<Float>, _ reference: ArraySlice<Float>) -> (maximum: Float, count: Int) {
        var maximum: Float = 0, count = 0
        for (a, b) in zip(swift, reference) where !(a == b || (a.isNaN && b.isNaN)) {
            maximum = max(maximum, abs(a - b).isNaN ? .infinity : abs(a - b))
            count += 1
        }
        return (maximum, count)
    }

    private struct RowRequest: Encodable {
        var name: String
        var rows: [Int]
    }

    private struct ListedTensor: Decodable, Equatable {
        var name: String
        var type: String
        var dimensions: [Int]
    }

    /// The first, middle and last row of every tensor, and the first 64 rows of the first
    /// tensor of each type.
    private func rowRequests(_ file: GGUFFile) -> [RowRequest] {
        var requests: [RowRequest] = []
        var typesSeen = Set<GGUFTensorType>()
        for tensor in file.tensors {
            if typesSeen.insert(tensor.type).inserted { requests.append(.init(name: tensor.name, rows: [0, min(64, tensor.rows)])) }
            for row in Set([0, tensor.rows / 2, tensor.rows - 1]).sorted() {
                requests.append(.init(name: tensor.name, rows: [row, row + 1]))
            }
        }
        return requests
    }

    func testGemmaTensorRowsMatchGGUFPy() throws {
        let path = Self.gemmaPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("SKIPPED: Gemma 3 GGUF not found at \(path); run launch/fetch-teacher --model gemma3 (or set DDK_GEMMA_GGUF)")
        }
        let file = try GGUFFile(path: path)
        let requests = rowRequests(file)
        let requestsURL = directory.appendingPathComponent("requests.json"), outputURL = directory.appendingPathComponent("rows.f32")
        try JSONEncoder().encode(requests).write(to: requestsURL)
        let listing = try JSONDecoder().decode([ListedTensor].self, from: try runReference(["rows", path, requestsURL.path, outputURL.path]))
        XCTAssertEqual(listing, file.tensors.map { ListedTensor(name: $0.name, type: $0.type.name, dimensions: $0.dimensions) })
        XCTAssertEqual(Set(file.tensors.map(\.type)), [.f32, .q8_0, .q5_0, .q4_K, .q6_K])

        let reference = try readFloats(outputURL)
        var offset = 0
        var figures: [GGUFTensorType: (tensors: Set<String>, values: Int, maximum: Float, differing: Int)] = [:]
        for request in requests {
            let tensor = try file.tensor(named: request.name)
            let rows = request.rows[0]..<request.rows[1]
            let values = try [Float](unsafeUninitializedCapacity: rows.count * tensor.columns) { buffer, initialized in
                try file.dequantize(tensor, rows: rows, into: buffer)
                initialized = buffer.count
            }
            XCTAssertLessThanOrEqual(offset + values.count, reference.count, "reference output too short")
            guard offset + values.count <= reference.count else { return }
            let (maximum, differing) = difference(values[...], reference[offset..<(offset + values.count)])
            offset += values.count
            var figure = figures[tensor.type, default: ([], 0, 0, 0)]
            figure.tensors.insert(tensor.name)
            figure.values += values.count
            figure.maximum = max(figure.maximum, maximum)
            figure.differing += differing
            figures[tensor.type] = figure
        }
        XCTAssertEqual(offset, reference.count)
        for (type, figure) in figures.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            print("gguf-py reference, \(URL(fileURLWithPath: path).lastPathComponent): \(type.name): \(figure.tensors.count) tensors, "
                  + "\(figure.values) values, max |Δ| \(figure.maximum), \(figure.differing) differ")
            XCTAssertEqual(figure.differing, 0, "\(type.name): \(figure.differing) values differ, max |Δ| \(figure.maximum)")
        }
    }

    /// A random finite fp16 bit pattern between 2^-14 and 2^2 in magnitude.
    private func randomHalf(_ random: inout SplitMix) -> UInt16 {
        let bits = random.next()
        let exponent = 1 + (bits >> 16) % 16  // biased: 2^-14 ... 2^1
        return UInt16(truncatingIfNeeded: bits & 0x83FF) | UInt16(exponent) << 10
    }

    func testRandomBlocksMatchGGUFPy() throws {
        // Where each type keeps its fp16 scales (set to finite values; the rest is random bytes).
        let halfOffsets: [(GGUFTensorType, [Int])] = [
            (.f16, [0]), (.bf16, [0]), (.q8_0, [0]), (.q4_0, [0]), (.q4_1, [0, 2]), (.q5_0, [0]), (.q5_1, [0, 2]),
            (.q2_K, [80, 82]), (.q3_K, [108]), (.q4_K, [0, 2]), (.q5_K, [0, 2]), (.q6_K, [208]),
        ]
        XCTAssertEqual(Set(halfOffsets.map(\.0)), Set(GGUFTensorType.allCases.filter { $0.canDequantize && $0 != .f32 }))
        var random = SplitMix(seed: 20_261_206)
        var inputs: [(type: GGUFTensorType, data: [UInt8])] = []
        var arguments = ["blocks"]
        for (type, offsets) in halfOffsets {
            let blocks = 256 / type.blockSize * 8
            var data: [UInt8] = (0..<(blocks * type.bytesPerBlock)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            for block in 0..<blocks {
                for offset in offsets {
                    let half = randomHalf(&random)
                    data[block * type.bytesPerBlock + offset] = UInt8(half & 0xFF)
                    data[block * type.bytesPerBlock + offset + 1] = UInt8(half >> 8)
                }
            }
            let input = directory.appendingPathComponent("\(type.name).bin")
            try Data(data).write(to: input)
            arguments += [type.name, input.path, directory.appendingPathComponent("\(type.name).f32").path]
            inputs.append((type, data))
        }
        _ = try runReference(arguments)
        for (type, data) in inputs {
            let reference = try readFloats(directory.appendingPathComponent("\(type.name).f32"))
            var writer = GGUFTestWriter()
            let count = data.count / type.bytesPerBlock * type.blockSize
            writer.tensors = [.init(name: "t", dimensions: [UInt64(count)], typeID: type.rawValue, data: data)]
            let values = try GGUFFile(path: try writer.write()).dequantize("t")
            XCTAssertEqual(values.count, reference.count, type.name)
            let (maximum, differing) = difference(values[...], reference[...])
            print("gguf-py reference, random blocks: \(type.name): \(values.count) values, max |Δ| \(maximum), \(differing) differ")
            XCTAssertEqual(differing, 0, "\(type.name): \(differing) values differ, max |Δ| \(maximum)")
        }
    }
}

/// SplitMix64, a small seeded generator for reproducible test data.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
