import Foundation
import GGUF
import XCTest

/// GGUF files the fuzz target `gguf` (Tests/Fuzz) made the reader trap on or overflow its
/// stack with; each is refused in one line naming the file.
final class GGUFFuzzRegressionTests: XCTestCase {
    private static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fuzz/regressions/gguf").standardized

    func testATensorOffsetPastAHugeAlignmentIsRefusedNotAnOverflow() throws {
        let path = Self.regressions.appendingPathComponent("tensor-offset-overflows-after-huge-alignment").path
        XCTAssertThrowsError(try GGUFFile(path: path)) {
            XCTAssertEqual("\($0)", "\(path): tensor 't': data offset 4611686018427387904 lies past the end of any file")
        }
    }

    /// 100,000 nested array headers (1.2 MB) overflowed the stack of the recursive reader.
    func testArraysNestedBeyondTheLimitAreRefusedNotAStackOverflow() throws {
        var bytes = Array("GGUF".utf8)
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        put(UInt32(3)); put(UInt64(0)); put(UInt64(1))
        put(UInt64(4)); bytes.append(contentsOf: Array("deep".utf8)); put(UInt32(9))
        for _ in 0..<100_000 { put(UInt32(9)); put(UInt64(1)) }
        put(UInt32(0)); put(UInt64(0))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nested-\(UUID().uuidString).gguf").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try GGUFFile(path: path)) {
            XCTAssertEqual($0 as? GGUFError, .arraysNestedTooDeep(path: path, key: "deep", limit: 16))
            XCTAssertEqual("\($0)", "\(path): metadata 'deep' nests arrays more than 16 deep")
        }
    }
}
