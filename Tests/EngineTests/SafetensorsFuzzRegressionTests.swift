import Engine
import Foundation
import XCTest

/// safetensors headers and checkpoint files the fuzz targets `safetensors` and `run-state`
/// (Tests/Fuzz) made the readers trap on, or give an error that does not name the file.
final class SafetensorsFuzzRegressionTests: XCTestCase {
    private static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fuzz/regressions").standardized

    private func refusal(_ name: String) -> String {
        let path = Self.regressions.appendingPathComponent("safetensors/\(name)").path
        do {
            _ = try SafetensorsFile(path: path)
            XCTFail("\(name) was accepted")
            return ""
        } catch {
            return "\(error)".replacingOccurrences(of: path, with: name)
        }
    }

    func testAHeaderLengthAboveIntMaxIsRefusedNotTrapped() {
        XCTAssertEqual(refusal("header-length-above-int-max"),
                       "header-length-above-int-max: truncated safetensors file: header length 18446744073709487208 exceeds the 172 bytes after it")
    }

    func testShapesWhoseByteCountOverflowsAreRefused() {
        XCTAssertEqual(refusal("shape-product-overflows"),
                       "shape-product-overflows: tensor 'a': shape [4294967296, 4294967296] of F32 has more bytes than a file can hold")
        XCTAssertEqual(refusal("byte-count-overflows"),
                       "byte-count-overflows: tensor 'a': shape [2305843009213693952] of F64 has more bytes than a file can hold")
    }

    /// A config.json whose sizes make more parameters than an Int counts trapped in the
    /// parameter count (and the layout that adds up the same sizes).
    func testAConfigWithAbsurdSizesIsRefused() throws {
        let path = Self.regressions.appendingPathComponent("run-state/config-parameter-count-overflows").path
        XCTAssertThrowsError(try Checkpoint.decodeConfig(Data(contentsOf: URL(fileURLWithPath: path)), path: "config.json")) {
            XCTAssertEqual("\($0)", "config.json: invalid Llama config: hidden_size and the other sizes make 8.9e+30 parameters, "
                + "more than 2^53")
        }
    }

    /// Metadata that does not decode was reported as a bare DecodingError, naming no file.
    func testOptimizerMetadataThatDoesNotDecodeNamesTheFile() throws {
        let config = try LlamaConfig(hiddenSize: 4, intermediateSize: 2, layerCount: 1, attentionHeadCount: 2,
                                     keyValueHeadCount: 1, vocabularySize: 4)
        let optimizer = AdamW(layout: ParameterLayout(config: config))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("optimizer-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafetensorsWriter.write([], metadata: ["config": "{\"hidden_size\": 4}"], to: path)
        XCTAssertThrowsError(try Checkpoint.loadTrainingState(into: optimizer, from: try SafetensorsFile(path: path))) {
            XCTAssertTrue("\($0)".hasPrefix("\(path): __metadata__ 'config': "), "\($0)")
        }
    }
}
