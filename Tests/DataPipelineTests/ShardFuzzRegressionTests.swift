import DataPipeline
import Foundation
import XCTest

/// Shard headers the fuzz target `shard` (Tests/Fuzz) made the reader trap on.
final class ShardFuzzRegressionTests: XCTestCase {
    /// 2^61 − 1 tokens of 4 bytes passed the count check, and header + tokens × 4 overflowed.
    func testATokenCountWhoseFileSizeOverflowsIsRefused() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fuzz/regressions/shard/token-count-overflows-file-size").standardized.path
        XCTAssertThrowsError(try Shard(path: path)) {
            XCTAssertEqual("\($0)", "\(path): corrupt token shard header: impossible counts (0 documents, 2305843009213693951 tokens)")
        }
    }
}
