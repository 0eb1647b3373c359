import DataPipeline
import Foundation
import XCTest

final class ShardTests: XCTestCase {
    func writeShard(_ path: String, documents: [[Int32]], vocabularySize: Int = 300, identity: String = "tok-A") throws -> ShardHeader {
        let writer = try ShardWriter(path: path, vocabularySize: vocabularySize, eosTokenID: 0, tokenizerIdentity: identity)
        for document in documents { try writer.append(document: document) }
        return try writer.finish()
    }

    func testRoundTripUInt16() throws {
        let folder = try temporaryFolder(self)
        let path = "\(folder)/a.shard"
        let documents: [[Int32]] = [[5, 6, 7], [299], [1, 2, 3, 4, 65]]
        let header = try writeShard(path, documents: documents)
        XCTAssertEqual(header.tokenWidth, 2)
        let shard = try Shard(path: path, expectedIdentity: "tok-A", expectedVocabularySize: 300)
        XCTAssertEqual(shard.documentCount, 3)
        XCTAssertEqual(shard.tokenCount, 3 + 1 + 1 + 1 + 5 + 1)
        XCTAssertEqual(shard.tokens(0..<shard.tokenCount), [5, 6, 7, 0, 299, 0, 1, 2, 3, 4, 65, 0])
        XCTAssertEqual(shard.header.tokenizerIdentity, "tok-A")
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        XCTAssertEqual(size, shard.header.headerByteCount + 2 * 12)
        XCTAssertEqual(files(in: folder, containing: "partial"), [])
    }

    func testRoundTripUInt32ForLargeVocabulary() throws {
        let folder = try temporaryFolder(self)
        let path = "\(folder)/wide.shard"
        let documents: [[Int32]] = [[65535, 65536, 99_999], [3]]
        let header = try writeShard(path, documents: documents, vocabularySize: 100_000, identity: "wide")
        XCTAssertEqual(header.tokenWidth, 4)
        let shard = try Shard(path: path)
        XCTAssertEqual(shard.tokens(0..<shard.tokenCount), [65535, 65536, 99_999, 0, 3, 0])
        XCTAssertEqual(shard.header.vocabularySize, 100_000)
    }

    func testVocabularyOf65536UsesUInt16() throws {
        let folder = try temporaryFolder(self)
        let header = try writeShard("\(folder)/edge.shard", documents: [[65535]], vocabularySize: 65536)
        XCTAssertEqual(header.tokenWidth, 2)
        XCTAssertEqual(try Shard(path: "\(folder)/edge.shard").token(at: 0), 65535)
    }

    func testTokenOutsideVocabularyIsRefused() throws {
        let folder = try temporaryFolder(self)
        let writer = try ShardWriter(path: "\(folder)/bad.shard", vocabularySize: 300, eosTokenID: 0, tokenizerIdentity: "t")
        assertThrows(try writer.append(document: [300]), containing: ["bad.shard", "300", "0..<300"])
    }

    func testAbandonedWriterLeavesNothing() throws {
        let folder = try temporaryFolder(self)
        do {
            let writer = try ShardWriter(path: "\(folder)/never.shard", vocabularySize: 300, eosTokenID: 0, tokenizerIdentity: "t")
            try writer.append(document: [1, 2, 3])
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
    }

    func testWrongMagicIsRefused() throws {
        let folder = try temporaryFolder(self)
        let path = "\(folder)/notes.shard"
        try write("this is not a shard at all, just some text long enough", to: path)
        assertThrows(try Shard(path: path), containing: ["notes.shard", "magic"])
        try write("", to: "\(folder)/empty.shard")
        assertThrows(try Shard(path: "\(folder)/empty.shard"), containing: ["empty.shard", "magic"])
    }

    func testTruncatedShardIsRefused() throws {
        let folder = try temporaryFolder(self)
        let path = "\(folder)/cut.shard"
        _ = try writeShard(path, documents: [[1, 2, 3, 4, 5, 6, 7, 8]])
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count - 3).write(to: URL(fileURLWithPath: path))
        assertThrows(try Shard(path: path), containing: ["cut.shard", "truncated"])
        try data.prefix(20).write(to: URL(fileURLWithPath: path))
        assertThrows(try Shard(path: path), containing: ["cut.shard", "truncated"])
    }

    func testUnsupportedVersionIsRefused() throws {
        let folder = try temporaryFolder(self)
        let path = "\(folder)/future.shard"
        _ = try writeShard(path, documents: [[1, 2]])
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[8] = 9
        try data.write(to: URL(fileURLWithPath: path))
        assertThrows(try Shard(path: path), containing: ["future.shard", "version 9"])
    }

    func testOtherTokenizerOrVocabularyIsRefused() throws {
        let folder = try temporaryFolder(self)
        let path = "\(folder)/a.shard"
        _ = try writeShard(path, documents: [[1, 2]], identity: "tok-A")
        assertThrows(try Shard(path: path, expectedIdentity: "tok-B"), containing: ["a.shard", "tok-A", "tok-B"])
        assertThrows(try Shard(path: path, expectedVocabularySize: 49152), containing: ["a.shard", "300", "49152"])
        XCTAssertNoThrow(try Shard(path: path, expectedIdentity: "tok-A", expectedVocabularySize: 300))
    }

    func testMissingShardIsNamed() {
        assertThrows(try Shard(path: "/nonexistent/x.shard"), containing: ["/nonexistent/x.shard"])
    }
}
