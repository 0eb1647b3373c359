import GGUF
import XCTest

/// Each supported type dequantized against values worked out by hand from the block layout.
final class DequantizationTests: XCTestCase {
    private func singleTensorFile(_ typeID: UInt32, dimensions: [UInt64], data: [UInt8]) throws -> GGUFFile {
        var writer = GGUFTestWriter()
        writer.tensors = [.init(name: "t", dimensions: dimensions, typeID: typeID, data: data)]
        return try GGUFFile(path: try writer.write())
    }

    func testF32() throws {
        let values: [Float] = [1.5, -2.25, 0, 3e-3, .greatestFiniteMagnitude, -0.0]
        let file = try singleTensorFile(0, dimensions: [3, 2], data: Bytes.floats(values))
        let tensor = try file.tensor(named: "t")
        XCTAssertEqual(tensor.type, .f32)
        XCTAssertEqual(tensor.columns, 3)
        XCTAssertEqual(tensor.rows, 2)
        XCTAssertEqual(try file.dequantize("t"), values)
    }

    func testF16() throws {
        // 1.0, -2.0, 1/3 rounded to half (1.0101010101b × 2^-2), 65504 (largest half),
        // 2^-24 (smallest subnormal), +infinity.
        let bits: [UInt16] = [0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001, 0x7C00]
        let file = try singleTensorFile(1, dimensions: [6], data: bits.flatMap(Bytes.of))
        let expected: [Float] = [1, -2, 0.25 * (1 + 341.0 / 1024), 65504, 1.0 / 16_777_216, .infinity]
        XCTAssertEqual(try file.dequantize("t"), expected)
    }

    func testBF16() throws {
        // The upper 16 bits of the float: 1.0, -3.0, 3.140625 (0x40490000), 2^-126.
        let bits: [UInt16] = [0x3F80, 0xC040, 0x4049, 0x0080]
        let file = try singleTensorFile(30, dimensions: [2, 2], data: bits.flatMap(Bytes.of))
        XCTAssertEqual(try file.dequantize("t"), [1, -3, 3.140625, Float.leastNormalMagnitude])
    }

    func testQ8_0() throws {
        // Block 0: d = 0.5 (0x3800), q[j] = j - 16.  Block 1: d = -2 (0xC000), q[j] = 127 - 8j
        // except q[31] = -128.
        let firstBlock: [UInt8] = (0..<32).map { j in UInt8(bitPattern: Int8(j - 16)) }
        var data = Bytes.of(UInt16(0x3800)) + firstBlock
        var secondBlock: [Int8] = (0..<32).map { j in Int8(127 - 8 * j) }
        secondBlock[31] = -128
        data += Bytes.of(UInt16(0xC000)) + secondBlock.map { UInt8(bitPattern: $0) }
        let file = try singleTensorFile(8, dimensions: [64], data: data)
        XCTAssertEqual(try file.tensor(named: "t").byteCount, 68)
        var expected: [Float] = (0..<32).map { j in 0.5 * Float(j - 16) }
        expected += (0..<32).map { j in -2 * Float(127 - 8 * j) }
        expected[63] = 256
        XCTAssertEqual(try file.dequantize("t"), expected)
    }

    func testQ4_0() throws {
        // d = 0.25 (0x3400); byte j holds element j in its low nibble (value j) and element
        // j + 16 in its high nibble (value 15 - j). Stored nibble n means (n - 8) · d.
        let nibbles: [UInt8] = (0..<16).map { j in UInt8(j | ((15 - j) << 4)) }
        let data = Bytes.of(UInt16(0x3400)) + nibbles
        let file = try singleTensorFile(2, dimensions: [32], data: data)
        let low: [Float] = (0..<16).map { j in 0.25 * Float(j - 8) }
        let high: [Float] = (0..<16).map { j in 0.25 * Float(7 - j) }
        XCTAssertEqual(try file.dequantize("t"), low + high)
    }

    func testQ4_1() throws {
        // Two rows of one block each. Row 0: d = 0.5, m = -1 (0xBC00), nibbles as in Q4_0:
        // element j = 0.5·j − 1, element j + 16 = 0.5·(15 − j) − 1.
        // Row 1: d = 2, m = 10 (0x4900), every byte 0xF0: low nibbles 0 → 10, high 15 → 40.
        let nibbles: [UInt8] = (0..<16).map { j in UInt8(j | ((15 - j) << 4)) }
        var data = Bytes.of(UInt16(0x3800)) + Bytes.of(UInt16(0xBC00)) + nibbles
        data += Bytes.of(UInt16(0x4000)) + Bytes.of(UInt16(0x4900)) + [UInt8](repeating: 0xF0, count: 16)
        let file = try singleTensorFile(3, dimensions: [32, 2], data: data)
        let tensor = try file.tensor(named: "t")
        XCTAssertEqual(tensor.type, .q4_1)
        XCTAssertEqual(tensor.dimensions, [32, 2])
        XCTAssertEqual(tensor.byteCount, 40)
        let low: [Float] = (0..<16).map { j in 0.5 * Float(j) - 1 }
        let high: [Float] = (0..<16).map { j in 0.5 * Float(15 - j) - 1 }
        var expected = low + high
        expected += [Float](repeating: 10, count: 16) + [Float](repeating: 40, count: 16)
        XCTAssertEqual(try file.dequantize("t"), expected)
    }

    func testQ5_0() throws {
        // Two blocks. Block 0: d = 0.5, q[j] = j, so the fifth bit (qh bit j) is set for
        // j ≥ 16: qh = 0xFFFF0000; element j = 0.5·(j − 16).
        // Block 1: d = -1 (0xBC00), q[j] = 31 − j: qh = 0x0000FFFF; element j = −(15 − j).
        func block(_ d: UInt16, _ q: [Int]) -> [UInt8] {
            let qh = (0..<32).reduce(UInt32(0)) { bits, j in bits | UInt32(q[j] >> 4) << UInt32(j) }
            return Bytes.of(d) + Bytes.of(qh) + (0..<16).map { j in UInt8(q[j] & 15 | (q[j + 16] & 15) << 4) }
        }
        let data = block(0x3800, Array(0..<32)) + block(0xBC00, (0..<32).map { 31 - $0 })
        XCTAssertEqual(Array(data[2..<6]), [0x00, 0x00, 0xFF, 0xFF])
        let file = try singleTensorFile(6, dimensions: [64], data: data)
        XCTAssertEqual(try file.tensor(named: "t").byteCount, 44)
        let expected = (0..<32).map { j in 0.5 * Float(j - 16) } + (0..<32).map { j in -Float(15 - j) }
        XCTAssertEqual(try file.dequantize("t"), expected)
    }

    func testQ5_1() throws {
        // d = 0.25, m = -1, q[j] = 31 − j (qh = 0x0000FFFF): element j = 0.25·(31 − j) − 1.
        let q = (0..<32).map { 31 - $0 }
        let data = Bytes.of(UInt16(0x3400)) + Bytes.of(UInt16(0xBC00)) + Bytes.of(UInt32(0x0000FFFF))
            + (0..<16).map { j in UInt8(q[j] & 15 | (q[j + 16] & 15) << 4) }
        let file = try singleTensorFile(7, dimensions: [32], data: data)
        XCTAssertEqual(try file.dequantize("t"), (0..<32).map { j in 0.25 * Float(31 - j) - 1 })
    }

    func testDequantizeIntoBufferChecksSize() throws {
        let file = try singleTensorFile(0, dimensions: [4], data: Bytes.floats([1, 2, 3, 4]))
        let tensor = try file.tensor(named: "t")
        var buffer = [Float](repeating: 0, count: 5)
        XCTAssertThrowsError(try buffer.withUnsafeMutableBufferPointer { try file.dequantize(tensor, into: $0) }) {
            XCTAssertEqual($0 as? GGUFError, .destinationSizeMismatch(path: file.path, tensor: "t", elements: 4, destination: 5))
        }
        var exact = [Float](repeating: 0, count: 4)
        try exact.withUnsafeMutableBufferPointer { try file.dequantize(tensor, into: $0) }
        XCTAssertEqual(exact, [1, 2, 3, 4])
    }

    func testKnownButUnsupportedTypeIsRefusedInOneLineNamingTensorAndType() throws {
        // IQ4_XS: one block of 256 values is 136 bytes; NVFP4: 64 values in 36 bytes. The file
        // reads; dequantizing refuses.
        var writer = GGUFTestWriter()
        writer.tensors = [.init(name: "blk.3.ffn_down.weight", dimensions: [256], typeID: 23,
                                data: [UInt8](repeating: 0, count: 136)),
                          .init(name: "blk.4.ffn_up.weight", dimensions: [64], typeID: 40,
                                data: [UInt8](repeating: 0, count: 36))]
        let file = try GGUFFile(path: try writer.write())
        XCTAssertEqual(try file.tensor(named: "blk.3.ffn_down.weight").type, .iq4_XS)
        XCTAssertEqual(try file.tensor(named: "blk.4.ffn_up.weight").type, .nvfp4)
        for (name, typeName) in [("blk.3.ffn_down.weight", "IQ4_XS"), ("blk.4.ffn_up.weight", "NVFP4")] {
            XCTAssertThrowsError(try file.dequantize(name)) { error in
                let message = String(describing: error)
                XCTAssertEqual(message, "\(file.path): tensor '\(name)' has type \(typeName), which cannot be dequantized "
                               + "(supported: F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, BF16)")
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
    }

    func testRowRangeDequantizesThoseRowsOnly() throws {
        // Q8_0, 3 rows of 64 (2 blocks each); d = 1, row r block b holds q[j] = 10r + b + j.
        var data: [UInt8] = []
        for r in 0..<3 {
            for b in 0..<2 { data += Bytes.of(UInt16(0x3C00)) + (0..<32).map { j in UInt8(10 * r + b + j) } }
        }
        let file = try singleTensorFile(8, dimensions: [64, 3], data: data)
        let tensor = try file.tensor(named: "t")
        var rows = [Float](repeating: .nan, count: 128)
        try rows.withUnsafeMutableBufferPointer { try file.dequantize(tensor, rows: 1..<3, into: $0) }
        let all = try file.dequantize("t")
        XCTAssertEqual(rows, Array(all[64...]))
        XCTAssertEqual(rows[0], 10)
        XCTAssertEqual(rows[127], 52)
        var wrong = [Float](repeating: 0, count: 64)
        XCTAssertThrowsError(try wrong.withUnsafeMutableBufferPointer { try file.dequantize(tensor, rows: 0..<2, into: $0) }) {
            XCTAssertEqual($0 as? GGUFError, .destinationSizeMismatch(path: file.path, tensor: "t", elements: 128, destination: 64))
        }
    }

    func testFirstRowsOfEveryTypeAreThePrefixOfTheWholeTensor() throws {
        // A padded vocabulary is trimmed by dequantizing the first rows of token_embd, so for
        // every type rows 0..<N must be the first N rows of the whole tensor, bit for bit: 5 rows
        // of 2 blocks of pseudo-random bytes (each masked with 0x3F, which keeps every fp16,
        // bf16 and f32 scale or value finite).
        for type in GGUFTensorType.allCases where type.canDequantize {
            let columns = 2 * type.blockSize, rows = 5
            var state: UInt32 = 12345
            let data = (0..<(rows * 2 * type.bytesPerBlock)).map { _ -> UInt8 in
                state = state &* 1_664_525 &+ 1_013_904_223
                return UInt8(truncatingIfNeeded: state >> 24) & 0x3F
            }
            let file = try singleTensorFile(type.rawValue, dimensions: [UInt64(columns), UInt64(rows)], data: data)
            let tensor = try file.tensor(named: "t")
            let all = try file.dequantize("t")
            XCTAssertTrue(all.allSatisfy(\.isFinite), type.name)
            let distinctRows = Set((0..<rows).map { Array(all[($0 * columns)..<(($0 + 1) * columns)]) })
            XCTAssertEqual(distinctRows.count, rows, "\(type.name): rows must differ for a misplaced row to show")
            for kept in 1...rows {
                let prefix = try [Float](unsafeUninitializedCapacity: kept * columns) { buffer, initialized in
                    try file.dequantize(tensor, rows: 0..<kept, into: buffer)
                    initialized = buffer.count
                }
                XCTAssertEqual(prefix.map(\.bitPattern), all.prefix(kept * columns).map(\.bitPattern), "\(type.name), \(kept) rows")
            }
        }
    }
}
