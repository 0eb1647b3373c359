import GGUF
import XCTest

/// Header, metadata, tensor table, alignment and the error paths.
final class GGUFReaderTests: XCTestCase {
    private func sampleWriter(version: UInt32 = 3) -> GGUFTestWriter {
        var writer = GGUFTestWriter()
        writer.version = version
        writer.metadata = [
            ("general.architecture", .string("llama")),
            ("u8", .uint8(200)), ("i8", .int8(-5)), ("u16", .uint16(60000)), ("i16", .int16(-30000)),
            ("u32", .uint32(4_000_000_000)), ("i32", .int32(-2_000_000_000)),
            ("u64", .uint64(1 << 40)), ("i64", .int64(-(1 << 40))),
            ("f32", .float32(1e-5)), ("f64", .float64(100000.5)), ("yes", .bool(true)), ("no", .bool(false)),
            ("unicode", .string("naïve 日本 🚀")),
            ("tokens", .array(elementType: 8, values: [.string("a"), .string(""), .string("Ġthe")])),
            ("ids", .array(elementType: 5, values: [.int32(1), .int32(-2), .int32(3)])),
            ("nested", .array(elementType: 9, values: [.array(elementType: 0, values: [.uint8(7)]),
                                                         .array(elementType: 8, values: [])])),
        ]
        writer.tensors = [
            .init(name: "norm", dimensions: [3], typeID: 0, data: Bytes.floats([1, 2, 3])),
            .init(name: "weight", dimensions: [2, 2], typeID: 0, data: Bytes.floats([4, 5, 6, 7])),
        ]
        return writer
    }

    func testReadsVersion2And3WithEveryValueType() throws {
        for version: UInt32 in [2, 3] {
            let file = try GGUFFile(path: try sampleWriter(version: version).write())
            XCTAssertEqual(file.version, version)
            XCTAssertEqual(file.architecture, "llama")
            XCTAssertEqual(file.metadataKeys.first, "general.architecture")
            XCTAssertEqual(file.metadataKeys.count, 17)
            XCTAssertEqual(file.metadata["u8"], .uint8(200))
            XCTAssertEqual(file.metadata["i8"], .int8(-5))
            XCTAssertEqual(file.metadata["u16"], .uint16(60000))
            XCTAssertEqual(file.metadata["i16"], .int16(-30000))
            XCTAssertEqual(try file.integer("u32"), 4_000_000_000)
            XCTAssertEqual(try file.integer("i32"), -2_000_000_000)
            XCTAssertEqual(try file.integer("u64"), 1 << 40)
            XCTAssertEqual(try file.integer("i64"), -(1 << 40))
            XCTAssertEqual(file.metadata["f32"], .float32(1e-5))
            XCTAssertEqual(try file.number("f64"), 100000.5)
            XCTAssertEqual(file.metadata["yes"]?.bool, true)
            XCTAssertEqual(file.metadata["no"]?.bool, false)
            XCTAssertEqual(try file.string("unicode"), "naïve 日本 🚀")
            XCTAssertEqual(try file.stringArray("tokens"), ["a", "", "Ġthe"])
            XCTAssertEqual(try file.integerArray("ids"), [1, -2, 3])
            XCTAssertEqual(file.metadata["nested"], .array(elementType: .array, values: [
                .array(elementType: .uint8, values: [.uint8(7)]), .array(elementType: .string, values: []),
            ]))
            XCTAssertEqual(file.tensors.map(\.name), ["norm", "weight"])
            XCTAssertEqual(file.alignment, 32)
            XCTAssertEqual(file.dataOffset % 32, 0)
            XCTAssertEqual(try file.tensor(named: "weight").fileOffset, file.dataOffset + 32)
            XCTAssertEqual(try file.dequantize("norm"), [1, 2, 3])
            XCTAssertEqual(try file.dequantize("weight"), [4, 5, 6, 7])
        }
    }

    func testHonoursGeneralAlignment() throws {
        var writer = sampleWriter()
        writer.alignment = 64
        writer.metadata.append(("general.alignment", .uint32(64)))
        let file = try GGUFFile(path: try writer.write())
        XCTAssertEqual(file.alignment, 64)
        XCTAssertEqual(file.dataOffset % 64, 0)
        XCTAssertEqual(try file.tensor(named: "weight").fileOffset, file.dataOffset + 64)
        XCTAssertEqual(try file.dequantize("weight"), [4, 5, 6, 7])
    }

    func testMetadataAccessorsNameKeyOnMismatch() throws {
        let file = try GGUFFile(path: try sampleWriter().write())
        XCTAssertThrowsError(try file.string("u8")) {
            XCTAssertEqual($0 as? GGUFError, .wrongValueType(path: file.path, key: "u8", expected: "a string", found: "uint8"))
        }
        XCTAssertThrowsError(try file.integer("absent")) {
            XCTAssertEqual($0 as? GGUFError, .missingKey(path: file.path, key: "absent"))
        }
        XCTAssertThrowsError(try file.tensor(named: "absent")) {
            XCTAssertEqual($0 as? GGUFError, .missingTensor(path: file.path, name: "absent"))
        }
        XCTAssertNil(try file.optionalInteger("absent"))
        XCTAssertThrowsError(try file.stringArray("ids"))
    }

    func testEveryTruncationIsReportedAsTruncated() throws {
        let bytes = sampleWriter().bytes()
        let path = try GGUFTestWriter.write(bytes)
        XCTAssertNoThrow(try GGUFFile(path: path))
        for length in 0..<bytes.count {
            let truncatedPath = try GGUFTestWriter.write(Array(bytes[0..<length]), name: "cut-\(length).gguf")
            XCTAssertThrowsError(try GGUFFile(path: truncatedPath), "length \(length)") { error in
                guard case let .truncated(path, _, _, _, fileSize)? = error as? GGUFError else {
                    return XCTFail("length \(length): \(error)")
                }
                XCTAssertEqual(path, truncatedPath)
                XCTAssertEqual(fileSize, length)
                XCTAssertTrue(String(describing: error).hasPrefix(truncatedPath + ": truncated GGUF file"))
            }
        }
    }

    func testBadMagic() throws {
        var writer = sampleWriter()
        writer.magic = Array("GGML".utf8)
        let path = try writer.write()
        XCTAssertThrowsError(try GGUFFile(path: path)) { error in
            XCTAssertEqual(error as? GGUFError, .badMagic(path: path, found: 0x4C4D_4747))
            XCTAssertEqual(String(describing: error),
                           "\(path): not a GGUF file (magic 0x4C4D4747, expected 0x46554747 \"GGUF\")")
        }
    }

    func testUnsupportedVersion() throws {
        let path = try sampleWriter(version: 1).write()
        XCTAssertThrowsError(try GGUFFile(path: path)) {
            XCTAssertEqual($0 as? GGUFError, .unsupportedVersion(path: path, version: 1))
        }
    }

    func testUnknownTensorTypeNamesTensor() throws {
        var writer = sampleWriter()
        writer.tensors[1].typeID = 99
        let path = try writer.write()
        XCTAssertThrowsError(try GGUFFile(path: path)) { error in
            XCTAssertEqual(error as? GGUFError, .unknownTensorType(path: path, tensor: "weight", rawType: 99))
            XCTAssertEqual(String(describing: error), "\(path): tensor 'weight' has unknown ggml type 99")
        }
    }

    func testUnknownValueTypeNamesKey() throws {
        var writer = sampleWriter()
        writer.valueTypeOverride["u8"] = 13
        let path = try writer.write()
        XCTAssertThrowsError(try GGUFFile(path: path)) {
            XCTAssertEqual($0 as? GGUFError, .unknownValueType(path: path, key: "u8", rawType: 13))
        }
    }

    func testMisalignedTensorOffset() throws {
        var writer = sampleWriter()
        writer.tensors[1].offsetOverride = 12
        let path = try writer.write()
        XCTAssertThrowsError(try GGUFFile(path: path)) { error in
            guard case let .invalidTensor(_, tensor, reason)? = error as? GGUFError else { return XCTFail("\(error)") }
            XCTAssertEqual(tensor, "weight")
            XCTAssertTrue(reason.contains("alignment"), reason)
        }
    }

    func testTensorDataBeyondEndOfFile() throws {
        var writer = sampleWriter()
        writer.tensors[1].offsetOverride = 1 << 20
        let path = try writer.write()
        XCTAssertThrowsError(try GGUFFile(path: path)) { error in
            guard case let .truncated(_, what, _, _, _)? = error as? GGUFError else { return XCTFail("\(error)") }
            XCTAssertEqual(what, "the data of tensor 'weight'")
        }
    }

    func testRowsMustBeWholeBlocks() throws {
        var writer = GGUFTestWriter()
        writer.tensors = [.init(name: "odd", dimensions: [16, 2], typeID: 3, data: [UInt8](repeating: 0, count: 20))]
        XCTAssertThrowsError(try GGUFFile(path: try writer.write())) { error in
            guard case let .invalidTensor(_, tensor, _)? = error as? GGUFError else { return XCTFail("\(error)") }
            XCTAssertEqual(tensor, "odd")
        }
    }

    func testMissingFile() {
        XCTAssertThrowsError(try GGUFFile(path: "/nonexistent/model.gguf")) { error in
            XCTAssertEqual(String(describing: error),
                           "/nonexistent/model.gguf: cannot open GGUF file: No such file or directory")
        }
    }
}
